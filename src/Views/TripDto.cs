using DigitalTwin.Grains.Abstractions.Insights;

namespace DigitalTwin.Views;

/// <summary>A finished trip as apps, the SSE <c>trip</c> event and <c>vehicle-trips</c> show it.</summary>
/// <param name="Kind">Always <c>trip</c>, so a <c>vehicle-trips</c> consumer tells trips from charging sessions.</param>
public sealed record TripDto(
    string Kind,
    string Id,
    string Vin,
    DateTimeOffset StartedAt,
    DateTimeOffset EndedAt,
    TripPosition? StartPosition,
    TripPosition? EndPosition,
    double DistanceKm,
    string DistanceSource,
    double DurationSeconds,
    double MaxSpeedKmh,
    double MeanSpeedKmh,
    double? EnergyKwh,
    double? FuelLitres,
    double? Co2Grams,
    double? Co2GramsPerKm,
    double DrivingScore,
    double EcoScore,
    BehaviourCounts Counts,
    IReadOnlyList<BehaviourEvent> Events,
    string EndReason)
{
    public const string TripKind = "trip";

    public static TripDto From(Trip trip)
    {
        ArgumentNullException.ThrowIfNull(trip);
        return new TripDto(
            TripKind,
            trip.Id,
            trip.Vin,
            trip.StartedAt,
            trip.EndedAt,
            trip.StartPosition,
            trip.EndPosition,
            trip.DistanceKm,
            trip.DistanceSource,
            trip.DurationSeconds,
            trip.MaxSpeedKmh,
            trip.MeanSpeedKmh,
            trip.EnergyKwh,
            trip.FuelLitres,
            trip.Co2Grams,
            trip.Co2GramsPerKm is { } perKm ? Math.Round(perKm, 1) : null,
            trip.DrivingScore,
            trip.EcoScore,
            trip.Counts,
            trip.Events,
            trip.EndReason);
    }
}

/// <summary>A finished charging session as apps, the SSE <c>charging</c> event and <c>vehicle-trips</c> show it.</summary>
/// <param name="Kind">Always <c>chargingSession</c>.</param>
public sealed record ChargingSessionDto(
    string Kind,
    string Id,
    string Vin,
    DateTimeOffset StartedAt,
    DateTimeOffset EndedAt,
    double StartSocPercent,
    double EndSocPercent,
    double? EnergyAddedKwh,
    double? ChargeLimitPercent,
    bool LimitReached,
    string EndReason)
{
    public const string SessionKind = "chargingSession";

    public static ChargingSessionDto From(ChargingSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return new ChargingSessionDto(
            SessionKind,
            session.Id,
            session.Vin,
            session.StartedAt,
            session.EndedAt,
            session.StartSocPercent,
            session.EndSocPercent,
            session.EnergyAddedKwh,
            session.ChargeLimitPercent,
            session.LimitReached,
            session.EndReason);
    }
}

/// <param name="Next">Pass as <c>to</c> (with the same <c>from</c>) for the next, older page; null on the last page.</param>
public sealed record PageDto<T>(IReadOnlyList<T> Items, DateTimeOffset? Next);
