namespace DigitalTwin.Contract.Notifications;

/// <summary>The <c>type</c> words of a notification document.</summary>
public static class NotificationTypes
{
    /// <summary>A confirmed road hazard ahead, in the car's direction of travel.</summary>
    public const string Hazard = "hazard";

    /// <summary>Congestion ahead.</summary>
    public const string Traffic = "traffic";

    /// <summary>Driving feedback: a pattern that costs energy or safety, with the evidence.</summary>
    public const string EcoTip = "ecoTip";

    /// <summary>Driving feedback about safety (sustained speeding, repeated harsh braking), with the evidence.</summary>
    public const string SafetyTip = "safetyTip";
}
