namespace DigitalTwin.Grains.Abstractions.Insights;

/// <summary>
/// One finished trip of a car, as its twin measured it on the car's own sample times. Stored once (its
/// <see cref="Id"/> is made of the VIN and the car time it started, so a replayed stream finds the same trip) and
/// never changed afterwards.
/// </summary>
/// <param name="Id"><c>{vin}-trip-{start ts in epoch ms}</c>.</param>
/// <param name="EndedAt">Car time of the last moving sample, or of the ignition going off.</param>
/// <param name="DistanceSource"><c>odometer</c> (<c>Vehicle.TraveledDistance</c>) or <c>gps</c> (positions).</param>
/// <param name="MeanSpeedKmh">Distance over duration.</param>
/// <param name="EnergyKwh">From the state of charge and <c>NetCapacity</c>; null for a car that sent neither.</param>
/// <param name="FuelLitres">From <c>InstantConsumption</c> over the distance; null for a car that sent none.</param>
/// <param name="Co2Grams">From energy or fuel and the configured factors; null when neither is known.</param>
/// <param name="Events">The behaviour events behind the scores, oldest first, at most <c>Trips:MaxEventsPerTrip</c>.</param>
/// <param name="EndReason"><c>ignitionOff</c>, <c>standstill</c> or <c>dataGap</c>.</param>
[GenerateSerializer, Immutable, Alias("dt.Trip")]
public sealed record Trip(
    [property: Id(0)] string Id,
    [property: Id(1)] string Vin,
    [property: Id(2)] DateTimeOffset StartedAt,
    [property: Id(3)] DateTimeOffset EndedAt,
    [property: Id(4)] TripPosition? StartPosition,
    [property: Id(5)] TripPosition? EndPosition,
    [property: Id(6)] double DistanceKm,
    [property: Id(7)] string DistanceSource,
    [property: Id(8)] double DurationSeconds,
    [property: Id(9)] double MaxSpeedKmh,
    [property: Id(10)] double MeanSpeedKmh,
    [property: Id(11)] double? EnergyKwh,
    [property: Id(12)] double? FuelLitres,
    [property: Id(13)] double? Co2Grams,
    [property: Id(14)] double DrivingScore,
    [property: Id(15)] double EcoScore,
    [property: Id(16)] BehaviourCounts Counts,
    [property: Id(17)] IReadOnlyList<BehaviourEvent> Events,
    [property: Id(18)] string EndReason)
{
    public static string IdFor(string vin, long startTs) => $"{vin}-trip-{startTs}";

    public double? Co2GramsPerKm => Co2Grams is { } g && DistanceKm > 0 ? g / DistanceKm : null;
}

[GenerateSerializer, Immutable, Alias("dt.TripPosition")]
public sealed record TripPosition([property: Id(0)] double Latitude, [property: Id(1)] double Longitude);

/// <summary>How often each kind of behaviour happened in a trip (or a period).</summary>
/// <param name="SpeedingSeconds">Driving time above <c>Insights:SpeedLimitKmh</c>.</param>
/// <param name="HighSpeedSeconds">Driving time above <c>Insights:EcoSpeedKmh</c> (drag grows with the square of speed).</param>
/// <param name="IdleSeconds">Time standing with the trip open (lights, jams).</param>
/// <param name="Potholes">Vertical spikes: road damage, not the driver's doing; counted, never penalised.</param>
[GenerateSerializer, Immutable, Alias("dt.BehaviourCounts")]
public sealed record BehaviourCounts(
    [property: Id(0)] int HarshBraking,
    [property: Id(1)] int HarshAcceleration,
    [property: Id(2)] int HarshCornering,
    [property: Id(3)] int AdasInterventions,
    [property: Id(4)] int Potholes,
    [property: Id(5)] double SpeedingSeconds,
    [property: Id(6)] double HighSpeedSeconds,
    [property: Id(7)] double IdleSeconds)
{
    public static BehaviourCounts None { get; } = new(0, 0, 0, 0, 0, 0, 0, 0);

    public BehaviourCounts Add(BehaviourCounts other) => new(
        HarshBraking + other.HarshBraking,
        HarshAcceleration + other.HarshAcceleration,
        HarshCornering + other.HarshCornering,
        AdasInterventions + other.AdasInterventions,
        Potholes + other.Potholes,
        SpeedingSeconds + other.SpeedingSeconds,
        HighSpeedSeconds + other.HighSpeedSeconds,
        IdleSeconds + other.IdleSeconds);
}

/// <summary>One thing the driver (or the road) did, so a driver can see why a score is what it is.</summary>
/// <param name="Kind">One of <see cref="BehaviourKinds"/>.</param>
/// <param name="Value">The peak that made it an event: m/s^2 for accelerations, km/h for speeding, empty for ADAS.</param>
/// <param name="Detail">The ADAS signal or event behind an intervention; null otherwise.</param>
[GenerateSerializer, Immutable, Alias("dt.BehaviourEvent")]
public sealed record BehaviourEvent(
    [property: Id(0)] string Kind,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] double? Value,
    [property: Id(3)] TripPosition? Position,
    [property: Id(4)] string? Detail = null);

/// <summary>The wire words of <see cref="BehaviourEvent.Kind"/>.</summary>
public static class BehaviourKinds
{
    public const string HarshBraking = "harshBraking";
    public const string HarshAcceleration = "harshAcceleration";
    public const string HarshCornering = "harshCornering";
    public const string Speeding = "speeding";
    public const string AdasIntervention = "adasIntervention";
    public const string Pothole = "pothole";
}

/// <summary>The wire words of <see cref="Trip.EndReason"/> and <see cref="ChargingSession.EndReason"/>.</summary>
public static class InsightEndReasons
{
    public const string IgnitionOff = "ignitionOff";
    public const string Standstill = "standstill";
    public const string DataGap = "dataGap";
    public const string ChargingStopped = "chargingStopped";
    public const string Unplugged = "unplugged";
}

/// <summary>The wire words of <see cref="Trip.DistanceSource"/>.</summary>
public static class DistanceSources
{
    public const string Odometer = "odometer";
    public const string Gps = "gps";
}
