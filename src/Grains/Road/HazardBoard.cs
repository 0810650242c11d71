using DigitalTwin.Grains.Abstractions.Road;

namespace DigitalTwin.Grains.Road;

/// <summary>
/// The hazards of one road cell, free of Orleans: reports of nearby cars in the same direction gather into one
/// candidate, which becomes a hazard once <see cref="HazardOptions.MinConfirmations"/> distinct cars reported it within
/// <see cref="HazardOptions.ConfirmationWindow"/> (a crash at once). A hazard ends <see cref="HazardOptions.Ttl"/> after
/// its last report, or sooner when <see cref="HazardOptions.ClearPasses"/> cars drive past it without incident.
/// VINs are kept only inside the confirmation window (to count distinct cars) and for the few clean passes being counted.
/// </summary>
public sealed class HazardBoard(string cell, HazardOptions options)
{
    private readonly List<Candidate> _candidates = [];

    public string Cell { get; } = cell;

    /// <summary>Candidates still being confirmed or hazards still active; for tests and metrics.</summary>
    public int CandidateCount => _candidates.Count;

    public IReadOnlyList<RoadHazard> Active() =>
        _candidates.Where(c => c.Id is not null).Select(ToHazard).ToList();

    /// <summary>Whether <paramref name="vin"/> reported the hazard itself (it needs no warning).</summary>
    public bool Reported(string hazardId, string vin) =>
        _candidates.Any(c => c.Id == hazardId && c.Reports.Any(r => r.Vin == vin));

    /// <returns>True when the set of active hazards or what they say changed.</returns>
    public bool Observe(RoadObservation observation)
    {
        var changed = Expire(observation.At);
        return (observation.Incident == RoadIncident.None ? Pass(observation) : Report(observation)) || changed;
    }

    /// <summary>Drops what the clock ended: reports out of the window, hazards past their time to live.</summary>
    public bool Expire(DateTimeOffset now)
    {
        var changed = false;
        for (var i = _candidates.Count - 1; i >= 0; i--)
        {
            var candidate = _candidates[i];
            candidate.Reports.RemoveAll(r => r.At + options.ConfirmationWindow <= now);
            var ended = candidate.Id is null ? candidate.Reports.Count == 0 : candidate.LastSeen + options.Ttl <= now;
            if (ended)
            {
                changed |= candidate.Id is not null;
                _candidates.RemoveAt(i);
            }
        }

        return changed;
    }

    private bool Report(RoadObservation report)
    {
        var candidate = Nearest(report, activeOnly: false);
        if (candidate is null)
        {
            candidate = new Candidate(report.At);
            _candidates.Add(candidate);
        }

        candidate.Add(report);
        candidate.Passes.Clear();
        var distinct = candidate.Reports.Select(r => r.Vin).Distinct(StringComparer.Ordinal).Count();
        if (candidate.Id is null && (distinct >= options.MinConfirmations || report.Incident == RoadIncident.Crash))
        {
            candidate.Id = $"hazard-{Geohash.Encode(candidate.Latitude, candidate.Longitude, Geohash.SpotPrecision)}-{candidate.FirstSeen.ToUnixTimeMilliseconds()}";
        }

        return candidate.Id is not null;
    }

    private bool Pass(RoadObservation pass)
    {
        if (pass.SpeedKmh is not { } speed || speed < options.PassingSpeedKmh)
        {
            return false;
        }

        var hazard = Nearest(pass, activeOnly: true);
        if (hazard is null || hazard.Reports.Any(r => r.Vin == pass.Vin) || !hazard.Passes.Add(pass.Vin))
        {
            return false;
        }

        if (hazard.Passes.Count < options.ClearPasses)
        {
            return false;
        }

        _candidates.Remove(hazard);
        return true;
    }

    private Candidate? Nearest(RoadObservation observation, bool activeOnly)
    {
        Candidate? best = null;
        var bestDistance = double.MaxValue;
        foreach (var candidate in _candidates)
        {
            if (activeOnly && candidate.Id is null)
            {
                continue;
            }

            var distance = GeoMath.DistanceMeters(candidate.Latitude, candidate.Longitude, observation.Latitude, observation.Longitude);
            if (distance <= options.MatchRadiusMeters && distance < bestDistance
                && GeoMath.SameDirection(candidate.Heading, observation.Heading, options.HeadingToleranceDegrees))
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    private RoadHazard ToHazard(Candidate c) =>
        new(c.Id!, Cell, c.Kind, c.Latitude, c.Longitude, c.Heading, c.Confirmations, c.FirstSeen, c.LastSeen, c.LastSeen + options.Ttl);

    private sealed class Candidate(DateTimeOffset firstSeen)
    {
        private readonly int[] _kinds = new int[(int)RoadIncident.Crash + 1];
        private double _latSum;
        private double _lonSum;
        private double _sin;
        private double _cos;
        private int _positions;
        private int _headings;

        public string? Id { get; set; }
        public DateTimeOffset FirstSeen { get; } = firstSeen;
        public DateTimeOffset LastSeen { get; private set; } = firstSeen;
        public List<(string Vin, DateTimeOffset At)> Reports { get; } = [];
        public HashSet<string> Passes { get; } = new(StringComparer.Ordinal);
        public int Confirmations { get; private set; }
        public double Latitude => _latSum / _positions;
        public double Longitude => _lonSum / _positions;

        /// <summary>The circular mean of the reporters' headings (350 and 10 average to 0, not 180).</summary>
        public double? Heading => _headings == 0 ? null : GeoMath.Normalize(Math.Atan2(_sin, _cos) * 180 / Math.PI);

        /// <summary>The gravest kind reported; a crash outranks brakes, brakes outrank hazard lights.</summary>
        public RoadIncident Kind
        {
            get
            {
                for (var k = _kinds.Length - 1; k > 0; k--)
                {
                    if (_kinds[k] > 0)
                    {
                        return (RoadIncident)k;
                    }
                }

                return RoadIncident.None;
            }
        }

        public void Add(RoadObservation report)
        {
            // A car repeating itself keeps the hazard alive but confirms it once.
            if (!Reports.Any(r => r.Vin == report.Vin))
            {
                Confirmations++;
            }

            Reports.RemoveAll(r => r.Vin == report.Vin);
            Reports.Add((report.Vin, report.At));
            _kinds[(int)report.Incident]++;
            _latSum += report.Latitude;
            _lonSum += report.Longitude;
            _positions++;
            if (report.Heading is { } heading)
            {
                _sin += Math.Sin(heading * Math.PI / 180);
                _cos += Math.Cos(heading * Math.PI / 180);
                _headings++;
            }

            if (report.At > LastSeen)
            {
                LastSeen = report.At;
            }
        }
    }
}
