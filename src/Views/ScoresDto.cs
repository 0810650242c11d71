using DigitalTwin.Grains.Abstractions.Insights;

namespace DigitalTwin.Views;

/// <summary>A car's driving and eco scores with the events behind them and the fleet's median to compare with.</summary>
public sealed record ScoresDto(
    string Vin,
    DateTimeOffset AsOf,
    TripScoreDto? LastTrip,
    PeriodScoreDto Rolling30Days,
    FleetMedianDto FleetMedian,
    IReadOnlyList<MonthlyFootprintDto> Footprint);

public sealed record TripScoreDto(
    string TripId,
    DateTimeOffset StartedAt,
    DateTimeOffset EndedAt,
    double DistanceKm,
    double DrivingScore,
    double EcoScore,
    double? Co2GramsPerKm,
    BehaviourCounts Counts,
    IReadOnlyList<BehaviourEvent> Events);

/// <param name="DrivingScore">Distance-weighted mean of the period's trips; null without trips.</param>
/// <param name="Events">The most recent behaviour events of the period, newest first.</param>
public sealed record PeriodScoreDto(
    DateTimeOffset From,
    DateTimeOffset To,
    int Trips,
    double DistanceKm,
    double? DrivingScore,
    double? EcoScore,
    double? KwhPer100Km,
    double? LitresPer100Km,
    double? Co2GramsPerKm,
    BehaviourCounts Counts,
    IReadOnlyList<BehaviourEvent> Events);

/// <param name="Period">The leaderboard period the medians come from (this month).</param>
public sealed record FleetMedianDto(string Period, int Vehicles, double? DrivingScore, double? EcoScore, double? Co2GramsPerKm);

public sealed record MonthlyFootprintDto(string Month, int Trips, double DistanceKm, double? Co2Kg);

/// <summary>The eco-driving ranking of a period.</summary>
public sealed record LeaderboardDto(string Period, DateTimeOffset From, DateTimeOffset To, double? FleetMedianEcoScore, IReadOnlyList<LeaderboardEntryDto> Entries);

/// <param name="Trend">Eco score now minus the previous period's; null when the car had no trip then.</param>
public sealed record LeaderboardEntryDto(
    int Rank,
    string Vin,
    double EcoScore,
    double DrivingScore,
    int Trips,
    double DistanceKm,
    double? Co2GramsPerKm,
    double? PreviousEcoScore,
    double? Trend);
