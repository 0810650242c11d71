namespace DigitalTwin.Grains.Ownership;

public enum RegistrationOutcome
{
    /// <summary>The VIN was not registered and is now bound to the owner.</summary>
    Created,

    /// <summary>The VIN was already bound to this owner; nothing changed.</summary>
    Unchanged,

    /// <summary>The VIN is bound to another owner; nothing changed.</summary>
    Conflict,
}
