using DigitalTwin.Grains.Abstractions.Road;

namespace DigitalTwin.Grains.Road;

/// <summary>
/// Traffic of one road cell per direction, free of Orleans: the mean of the speed samples of the last
/// <see cref="TrafficOptions.Window"/>, and a congestion level against the cell's own free-flow speed, learned as a high
/// percentile of its speeds, night-time ones first (docs/road.md).
/// </summary>
public sealed class TrafficWindow(string cell, TrafficOptions options)
{
    private readonly Direction[] _directions = [new(), new(), new(), new(), new()];
    private readonly (double Latitude, double Longitude) _center = Geohash.Center(cell);

    public string Cell { get; } = cell;

    public static TravelDirection DirectionOf(double? heading) => heading switch
    {
        null => TravelDirection.Unknown,
        { } h => GeoMath.Normalize(h + 45) switch
        {
            < 90 => TravelDirection.North,
            < 180 => TravelDirection.East,
            < 270 => TravelDirection.South,
            _ => TravelDirection.West,
        },
    };

    /// <summary>The congestion level of a mean speed against a free-flow speed (HCM 6th ed. urban street LOS bands).</summary>
    public static CongestionLevel LevelOf(double meanKmh, double freeFlowKmh, int samples, int minSamples)
    {
        if (samples < minSamples || freeFlowKmh <= 0)
        {
            return CongestionLevel.Unknown;
        }

        return (meanKmh / freeFlowKmh) switch
        {
            >= 0.67 => CongestionLevel.Free,
            >= 0.50 => CongestionLevel.Slow,
            >= 0.30 => CongestionLevel.Congested,
            _ => CongestionLevel.Jammed,
        };
    }

    /// <summary>Whether an instant is night at a longitude (22:00-05:00 local mean solar time), when roads run free.</summary>
    public static bool IsNight(DateTimeOffset at, double longitude)
    {
        var hour = (at.UtcDateTime.TimeOfDay.TotalHours + (longitude / 15) + 24) % 24;
        return hour >= 22 || hour < 5;
    }

    /// <summary>Adds a speed sample; returns its direction, or null when it carried no speed.</summary>
    public TravelDirection? Add(RoadObservation sample)
    {
        if (sample.SpeedKmh is not { } speed || speed < 0)
        {
            return null;
        }

        var travel = DirectionOf(sample.Heading);
        var direction = _directions[(int)travel];
        direction.Samples.Enqueue((sample.At, speed));
        if (direction.Samples.Count > options.MaxSamplesPerDirection)
        {
            direction.Sum -= direction.Samples.Dequeue().Speed;
        }

        direction.Sum += speed;
        direction.All.Add(speed);
        if (IsNight(sample.At, sample.Longitude))
        {
            direction.Night.Add(speed);
        }

        return travel;
    }

    /// <summary>The level of one direction now, without building the summaries: what a cell checks on every sample.</summary>
    public CongestionLevel Level(TravelDirection travel, DateTimeOffset now)
    {
        var direction = _directions[(int)travel];
        Trim(direction, now);
        var count = direction.Samples.Count;
        return count == 0 ? CongestionLevel.Unknown : LevelOf(direction.Sum / count, FreeFlow(direction).Kmh, count, options.MinSamples);
    }

    public IReadOnlyList<TrafficSummary> Summaries(DateTimeOffset now)
    {
        var result = new List<TrafficSummary>();
        for (var d = 0; d < _directions.Length; d++)
        {
            var direction = _directions[d];
            Trim(direction, now);

            var count = direction.Samples.Count;
            if (count == 0)
            {
                continue;
            }

            var mean = Math.Max(0, direction.Sum / count);
            var (freeFlow, learned) = FreeFlow(direction);
            result.Add(new TrafficSummary(
                Cell, (TravelDirection)d, _center.Latitude, _center.Longitude, Math.Round(mean, 1), count,
                Math.Round(freeFlow, 1), learned, LevelOf(mean, freeFlow, count, options.MinSamples), now));
        }

        return result;
    }

    /// <summary>Samples arrive in the cell's clock order, so the oldest are always at the front.</summary>
    private void Trim(Direction direction, DateTimeOffset now)
    {
        while (direction.Samples.TryPeek(out var oldest) && oldest.At + options.Window <= now)
        {
            direction.Sum -= direction.Samples.Dequeue().Speed;
        }
    }

    private (double Kmh, bool Learned) FreeFlow(Direction direction)
    {
        if (direction.Night.Count >= options.MinFreeFlowSamples)
        {
            return (direction.Night.Percentile(options.FreeFlowPercentile), true);
        }

        return direction.All.Count >= options.MinFreeFlowSamples
            ? (direction.All.Percentile(options.FreeFlowPercentile), true)
            : (options.DefaultFreeFlowKmh, false);
    }

    private sealed class Direction
    {
        public Queue<(DateTimeOffset At, double Speed)> Samples { get; } = new();
        public double Sum { get; set; }
        public SpeedHistogram All { get; } = new();
        public SpeedHistogram Night { get; } = new();
    }
}

/// <summary>
/// Speeds in 2 km/h bins up to 250 km/h: a cell's whole history in 1 KB, and a percentile without keeping samples (and
/// without keeping who drove them).
/// </summary>
public sealed class SpeedHistogram
{
    private const double BinKmh = 2;
    private readonly long[] _bins = new long[126];

    public long Count { get; private set; }

    public void Add(double speedKmh)
    {
        var bin = (int)Math.Clamp(speedKmh / BinKmh, 0, _bins.Length - 1);
        _bins[bin]++;
        Count++;
    }

    /// <summary>The upper edge of the bin holding the percentile: a free-flow speed errs high by at most one bin.</summary>
    public double Percentile(double percentile)
    {
        if (Count == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(percentile / 100 * Count);
        long seen = 0;
        for (var i = 0; i < _bins.Length; i++)
        {
            seen += _bins[i];
            if (seen >= rank)
            {
                return (i + 1) * BinKmh;
            }
        }

        return _bins.Length * BinKmh;
    }
}
