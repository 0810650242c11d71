using DigitalTwin.Grains.Abstractions.Insights;

namespace DigitalTwin.Grains.Insights;

/// <summary>
/// A trip in progress: everything <see cref="TripTracker"/> sums up while the car drives. Plain settable properties,
/// because it is also the checkpoint written to storage so that a restarted silo resumes the trip.
/// </summary>
public sealed class OpenTrip
{
    public long StartTs { get; set; }
    public TripPosition? StartPosition { get; set; }
    public TripPosition? EndPosition { get; set; }
    public long LastSampleTs { get; set; }
    public long LastMovingTs { get; set; }

    /// <summary>Car time the car last stopped, while it stands; null while it moves.</summary>
    public long? StandstillSince { get; set; }

    public double? StartOdometer { get; set; }
    public double? LastOdometer { get; set; }
    public double GpsMeters { get; set; }
    public double? LastFixLatitude { get; set; }
    public double? LastFixLongitude { get; set; }
    public long LastFixTs { get; set; }
    public double MaxSpeedKmh { get; set; }
    public double? StartSoc { get; set; }
    public double? LastSoc { get; set; }
    public double? FuelLitres { get; set; }
    public double? LastConsumption { get; set; }
    public double SpeedingSeconds { get; set; }
    public double HighSpeedSeconds { get; set; }
    public double IdleSeconds { get; set; }

    /// <summary>Standing time not yet known to be inside the trip: it is, once the car moves again.</summary>
    public double PendingIdleSeconds { get; set; }

    public int HarshBraking { get; set; }
    public int HarshAcceleration { get; set; }
    public int HarshCornering { get; set; }
    public int AdasInterventions { get; set; }
    public int Potholes { get; set; }
    public List<BehaviourEvent> Events { get; set; } = [];

    public BehaviourCounts Counts => new(HarshBraking, HarshAcceleration, HarshCornering, AdasInterventions, Potholes, SpeedingSeconds, HighSpeedSeconds, IdleSeconds);

    public void Count(BehaviourEvent e, int maxEvents)
    {
        switch (e.Kind)
        {
            case BehaviourKinds.HarshBraking: HarshBraking++; break;
            case BehaviourKinds.HarshAcceleration: HarshAcceleration++; break;
            case BehaviourKinds.HarshCornering: HarshCornering++; break;
            case BehaviourKinds.AdasIntervention: AdasInterventions++; break;
            case BehaviourKinds.Pothole: Potholes++; break;
        }

        if (Events.Count < maxEvents)
        {
            Events.Add(e);
        }
    }
}

/// <summary>A charging session in progress; also its checkpoint.</summary>
public sealed class OpenCharge
{
    public long StartTs { get; set; }
    public long LastTs { get; set; }
    public double? StartSoc { get; set; }
    public double? LastSoc { get; set; }
    public double? ChargeLimit { get; set; }
}

/// <summary>What a twin writes down so that a restarted silo resumes its open trip, charging session and feedback pacing.</summary>
public sealed class InsightsProgress
{
    public OpenTrip? Trip { get; set; }
    public OpenCharge? Charge { get; set; }

    /// <summary>Car time of the last feedback sent, for the per-car rate limit.</summary>
    public long? LastFeedbackTs { get; set; }

    public bool IsEmpty => Trip is null && Charge is null && LastFeedbackTs is null;

    public string ToJson() => System.Text.Json.JsonSerializer.Serialize(this, ProgressJson.Options);

    public static InsightsProgress FromJson(string json) =>
        System.Text.Json.JsonSerializer.Deserialize<InsightsProgress>(json, ProgressJson.Options) ?? new InsightsProgress();

    private static class ProgressJson
    {
        public static readonly System.Text.Json.JsonSerializerOptions Options = new(System.Text.Json.JsonSerializerDefaults.Web)
        {
            IgnoreReadOnlyProperties = true,
        };
    }
}
