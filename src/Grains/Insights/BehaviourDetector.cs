using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Insights;

namespace DigitalTwin.Grains.Insights;

/// <summary>
/// Turns one trip's acceleration, speed and ADAS readings into behaviour events. A harsh reading is held for
/// <see cref="InsightsOptions.ShockWindow"/> of car time before it counts: a pothole shakes the car along every axis,
/// and a longitudinal or lateral spike next to a vertical one is the road, not the driver. One episode (consecutive
/// readings past a threshold) is one event.
/// </summary>
public sealed class BehaviourDetector(InsightsOptions options)
{
    private readonly long _shockWindowMs = (long)options.ShockWindow.TotalMilliseconds;
    private readonly List<BehaviourEvent> _pending = [];
    private long _lastShockTs = long.MinValue / 2;
    private bool _inShock;
    private bool _inBraking;
    private bool _inAccelerating;
    private bool _inCornering;
    private bool _laneWarning;
    private bool _obstacleWarning;
    private bool _ebaEngaged;
    private bool _absEngaged;
    private long? _speedingSince;
    private double _speedingPeak;

    /// <summary>Car time speeding began, while the car speeds.</summary>
    public long? SpeedingSince => _speedingSince;

    /// <summary>One sample of the trip; adds the events that became certain to <paramref name="events"/>.</summary>
    public void Observe(in InsightSample sample, TripPosition? position, List<BehaviourEvent> events)
    {
        var ts = sample.Ts;
        var at = DateTimeOffset.FromUnixTimeMilliseconds(ts);

        if (sample.Vertical is { } vertical)
        {
            var shock = Math.Abs(vertical) >= options.PotholeVerticalMps2;
            if (shock && !_inShock)
            {
                _lastShockTs = ts;
                _pending.RemoveAll(e => ts - e.At.ToUnixTimeMilliseconds() <= _shockWindowMs);
                events.Add(new BehaviourEvent(BehaviourKinds.Pothole, at, Round(vertical), position));
            }

            _inShock = shock;
        }

        if (sample.Longitudinal is { } longitudinal)
        {
            Episode(ref _inBraking, -longitudinal >= options.HarshBrakingMps2, BehaviourKinds.HarshBraking, longitudinal, at, ts, position);
            Episode(ref _inAccelerating, longitudinal >= options.HarshAccelerationMps2, BehaviourKinds.HarshAcceleration, longitudinal, at, ts, position);
        }

        if (sample.Lateral is { } lateral)
        {
            Episode(ref _inCornering, Math.Abs(lateral) >= options.HarshCorneringMps2, BehaviourKinds.HarshCornering, lateral, at, ts, position);
        }

        if (sample.Speed is { } speed)
        {
            if (speed > options.SpeedLimitKmh)
            {
                _speedingSince ??= ts;
                _speedingPeak = Math.Max(_speedingPeak, speed);
            }
            else
            {
                EndSpeeding(position, events);
            }
        }

        Edge(ref _laneWarning, sample.LaneDepartureWarning, SignalCatalogue.LaneDepartureWarning, at, position, events);
        Edge(ref _obstacleWarning, sample.ObstacleWarning, SignalCatalogue.ObstacleWarning, at, position, events);
        Edge(ref _ebaEngaged, sample.EbaEngaged, SignalCatalogue.EbaEngaged, at, position, events);
        Edge(ref _absEngaged, sample.AbsEngaged, SignalCatalogue.AbsEngaged, at, position, events);

        // Held long enough without a shock next to them: the driver's doing.
        for (var i = 0; i < _pending.Count; i++)
        {
            if (ts - _pending[i].At.ToUnixTimeMilliseconds() > _shockWindowMs)
            {
                events.Add(_pending[i]);
                _pending.RemoveAt(i--);
            }
        }
    }

    /// <summary>An ADAS event document of the car (forward collision warning, lane departure, emergency braking).</summary>
    public static BehaviourEvent Intervention(long ts, string type, TripPosition? position) =>
        new(BehaviourKinds.AdasIntervention, DateTimeOffset.FromUnixTimeMilliseconds(ts), null, position, type);

    /// <summary>The trip ended: whatever is held counts, and an ongoing speeding episode ends.</summary>
    public void Flush(TripPosition? position, List<BehaviourEvent> events)
    {
        events.AddRange(_pending);
        _pending.Clear();
        EndSpeeding(position, events);
    }

    private void EndSpeeding(TripPosition? position, List<BehaviourEvent> events)
    {
        if (_speedingSince is { } since)
        {
            events.Add(new BehaviourEvent(BehaviourKinds.Speeding, DateTimeOffset.FromUnixTimeMilliseconds(since), Round(_speedingPeak), position));
            _speedingSince = null;
            _speedingPeak = 0;
        }
    }

    private void Episode(ref bool inEpisode, bool past, string kind, double value, DateTimeOffset at, long ts, TripPosition? position)
    {
        if (past && !inEpisode && ts - _lastShockTs > _shockWindowMs)
        {
            _pending.Add(new BehaviourEvent(kind, at, Round(value), position));
        }

        inEpisode = past;
    }

    private static void Edge(ref bool was, bool? now, string signal, DateTimeOffset at, TripPosition? position, List<BehaviourEvent> events)
    {
        if (now is not { } on)
        {
            return;
        }

        if (on && !was)
        {
            events.Add(new BehaviourEvent(BehaviourKinds.AdasIntervention, at, null, position, signal));
        }

        was = on;
    }

    private static double Round(double value) => Math.Round(value, 2);
}
