using System.Collections.Concurrent;
using DigitalTwin.Grains.Abstractions.Insights;
using DigitalTwin.Grains.Insights;

namespace DigitalTwin.Grains.Storage;

public sealed class InMemoryTripStore : ITripStore
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, Trip>> _trips = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, ChargingSession>> _sessions = new(StringComparer.Ordinal);

    // As JSON text: the checkpoint is a mutable object the twin goes on changing after it saved it.
    private readonly ConcurrentDictionary<string, string> _progress = new(StringComparer.Ordinal);

    public ValueTask<bool> AddTripAsync(Trip trip, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trip);
        return ValueTask.FromResult(_trips.GetOrAdd(trip.Vin, static _ => new(StringComparer.Ordinal)).TryAdd(trip.Id, trip));
    }

    public ValueTask<IReadOnlyList<Trip>> ListTripsAsync(string vin, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
    {
        IReadOnlyList<Trip> trips = _trips.TryGetValue(vin, out var byId)
            ? byId.Values.Where(t => t.StartedAt >= from && t.StartedAt < to).OrderByDescending(t => t.StartedAt).Take(limit).ToList()
            : [];
        return ValueTask.FromResult(trips);
    }

    public ValueTask<IReadOnlyList<LeaderboardEntry>> AggregateAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var entries = new List<LeaderboardEntry>();
        foreach (var (vin, byId) in _trips)
        {
            var trips = byId.Values.Where(t => t.EndedAt >= from && t.EndedAt < to).ToList();
            if (trips.Count > 0)
            {
                var card = ScoreCard.Of(trips);
                entries.Add(new LeaderboardEntry(vin, card.Trips, card.DistanceKm, card.EcoScore!.Value, card.DrivingScore!.Value, card.Co2Grams, trips.Max(t => t.EndedAt)));
            }
        }

        return ValueTask.FromResult<IReadOnlyList<LeaderboardEntry>>(entries);
    }

    public ValueTask<bool> AddChargingSessionAsync(ChargingSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        return ValueTask.FromResult(_sessions.GetOrAdd(session.Vin, static _ => new(StringComparer.Ordinal)).TryAdd(session.Id, session));
    }

    public ValueTask<IReadOnlyList<ChargingSession>> ListChargingSessionsAsync(string vin, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
    {
        IReadOnlyList<ChargingSession> sessions = _sessions.TryGetValue(vin, out var byId)
            ? byId.Values.Where(s => s.StartedAt >= from && s.StartedAt < to).OrderByDescending(s => s.StartedAt).Take(limit).ToList()
            : [];
        return ValueTask.FromResult(sessions);
    }

    public ValueTask<InsightsProgress?> LoadProgressAsync(string vin, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_progress.TryGetValue(vin, out var json) ? InsightsProgress.FromJson(json) : null);

    public ValueTask SaveProgressAsync(string vin, InsightsProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        if (progress.IsEmpty)
        {
            _progress.TryRemove(vin, out _);
        }
        else
        {
            _progress[vin] = progress.ToJson();
        }

        return ValueTask.CompletedTask;
    }
}
