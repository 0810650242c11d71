using DigitalTwin.Grains.Abstractions.Insights;
using DigitalTwin.Grains.Storage;

namespace DigitalTwin.Grains.Insights;

/// <summary>
/// One period's eco-driving aggregate (<see cref="ILeaderboardGrain"/>). On activation it sums the period's stored trips
/// once (one aggregate query), then twins report each trip they finish, so ranking reads this grain and wakes no car.
/// Per car it keeps a few numbers; a trip ending no later than the car's last counted one is a repeat and is ignored.
/// </summary>
public sealed class LeaderboardGrain(ITripStore trips) : Grain, ILeaderboardGrain
{
    private readonly Dictionary<string, Aggregate> _cars = new(StringComparer.Ordinal);
    private string _period = string.Empty;
    private DateTimeOffset _from;
    private DateTimeOffset _to;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!LeaderboardPeriods.TryParseKey(this.GetPrimaryKeyString(), out _period, out _from, out _to))
        {
            throw new ArgumentException($"'{this.GetPrimaryKeyString()}' is not a leaderboard period key");
        }

        foreach (var entry in await trips.AggregateAsync(_from, _to, cancellationToken))
        {
            _cars[entry.Vin] = Aggregate.From(entry);
        }
    }

    public Task Report(Trip trip)
    {
        ArgumentNullException.ThrowIfNull(trip);
        if (trip.EndedAt < _from || trip.EndedAt >= _to)
        {
            return Task.CompletedTask;
        }

        if (!_cars.TryGetValue(trip.Vin, out var car))
        {
            _cars[trip.Vin] = car = new Aggregate();
        }

        car.Add(trip);
        return Task.CompletedTask;
    }

    public ValueTask<LeaderboardStandings> GetStandings() =>
        ValueTask.FromResult(new LeaderboardStandings(_period, _from, _to, _cars.Select(c => c.Value.ToEntry(c.Key)).ToList()));

    private sealed class Aggregate
    {
        private int _trips;
        private double _distance;
        private double _weights;
        private double _eco;
        private double _driving;
        private double? _co2;
        private DateTimeOffset _last = DateTimeOffset.MinValue;

        public static Aggregate From(LeaderboardEntry entry)
        {
            // The same weighting as ScoreCard: distance, at least 0.1 km per trip.
            var weights = Math.Max(entry.DistanceKm, 0.1 * entry.Trips);
            return new Aggregate
            {
                _trips = entry.Trips,
                _distance = entry.DistanceKm,
                _weights = weights,
                _eco = entry.EcoScore * weights,
                _driving = entry.DrivingScore * weights,
                _co2 = entry.Co2Grams,
                _last = entry.LastTripEndedAt,
            };
        }

        public void Add(Trip trip)
        {
            if (trip.EndedAt <= _last)
            {
                return;
            }

            var weight = Math.Max(trip.DistanceKm, 0.1);
            _trips++;
            _distance += trip.DistanceKm;
            _weights += weight;
            _eco += trip.EcoScore * weight;
            _driving += trip.DrivingScore * weight;
            if (trip.Co2Grams is { } grams)
            {
                _co2 = (_co2 ?? 0) + grams;
            }

            _last = trip.EndedAt;
        }

        public LeaderboardEntry ToEntry(string vin) => new(
            vin,
            _trips,
            Math.Round(_distance, 3),
            _weights > 0 ? Math.Round(_eco / _weights, 1) : 0,
            _weights > 0 ? Math.Round(_driving / _weights, 1) : 0,
            _co2 is { } g ? Math.Round(g, 1) : null,
            _last);
    }
}
