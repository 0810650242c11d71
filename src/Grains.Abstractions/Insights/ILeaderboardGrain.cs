using Orleans.Concurrency;

namespace DigitalTwin.Grains.Abstractions.Insights;

/// <summary>
/// The eco-driving aggregate of one period (a calendar month or ISO week), keyed by <see cref="LeaderboardPeriods"/>'s
/// key: fed by each twin when it finishes a trip, so ranking a fleet reads one grain and wakes no car.
/// </summary>
[Alias("dt.ILeaderboardGrain")]
public interface ILeaderboardGrain : IGrainWithStringKey
{
    /// <summary>Counts a finished trip once: a trip no newer than the car's last counted one is ignored.</summary>
    [Alias("Report"), OneWay]
    Task Report(Trip trip);

    /// <summary>Every car of the period with its aggregate; the API ranks and scopes them.</summary>
    [Alias("GetStandings")]
    ValueTask<LeaderboardStandings> GetStandings();
}

/// <summary>One car's aggregate over a period.</summary>
/// <param name="EcoScore">Distance-weighted mean of its trips' eco scores.</param>
/// <param name="LastTripEndedAt">The newest trip counted, so a trip reported twice is counted once.</param>
[GenerateSerializer, Immutable, Alias("dt.LeaderboardEntry")]
public sealed record LeaderboardEntry(
    [property: Id(0)] string Vin,
    [property: Id(1)] int Trips,
    [property: Id(2)] double DistanceKm,
    [property: Id(3)] double EcoScore,
    [property: Id(4)] double DrivingScore,
    [property: Id(5)] double? Co2Grams,
    [property: Id(6)] DateTimeOffset LastTripEndedAt)
{
    public double? Co2GramsPerKm => Co2Grams is { } g && DistanceKm > 0 ? g / DistanceKm : null;
}

[GenerateSerializer, Immutable, Alias("dt.LeaderboardStandings")]
public sealed record LeaderboardStandings(
    [property: Id(0)] string Period,
    [property: Id(1)] DateTimeOffset From,
    [property: Id(2)] DateTimeOffset To,
    [property: Id(3)] IReadOnlyList<LeaderboardEntry> Entries);
