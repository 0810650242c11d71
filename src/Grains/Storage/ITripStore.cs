using DigitalTwin.Grains.Abstractions.Insights;
using DigitalTwin.Grains.Insights;

namespace DigitalTwin.Grains.Storage;

/// <summary>
/// Where trips, charging sessions and each twin's insights checkpoint are kept. Every write is durable when it
/// returns. Trips and sessions are written once: their ids come from the VIN and the car time they started, so a
/// replayed stream that finds the same trip cannot store it twice.
/// </summary>
public interface ITripStore
{
    /// <returns>False when a trip with this id was stored before (nothing changes).</returns>
    ValueTask<bool> AddTripAsync(Trip trip, CancellationToken cancellationToken);

    /// <summary>The vehicle's trips that started in [<paramref name="from"/>, <paramref name="to"/>), newest first.</summary>
    ValueTask<IReadOnlyList<Trip>> ListTripsAsync(string vin, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken);

    /// <summary>Each vehicle's aggregate of the trips that ended in [<paramref name="from"/>, <paramref name="to"/>): what a period's leaderboard starts from.</summary>
    ValueTask<IReadOnlyList<LeaderboardEntry>> AggregateAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <returns>False when a session with this id was stored before.</returns>
    ValueTask<bool> AddChargingSessionAsync(ChargingSession session, CancellationToken cancellationToken);

    /// <summary>The vehicle's charging sessions that started in [<paramref name="from"/>, <paramref name="to"/>), newest first.</summary>
    ValueTask<IReadOnlyList<ChargingSession>> ListChargingSessionsAsync(string vin, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken);

    /// <summary>The twin's open trip, open session and feedback pacing as last written; null when none.</summary>
    ValueTask<InsightsProgress?> LoadProgressAsync(string vin, CancellationToken cancellationToken);

    /// <summary>Replaces the twin's checkpoint; an empty one removes it.</summary>
    ValueTask SaveProgressAsync(string vin, InsightsProgress progress, CancellationToken cancellationToken);
}
