using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Crash;

namespace DigitalTwin.Grains.Tests.Crash;

/// <summary>
/// Builds a recorded-style trace: one telemetry document per tick at a fixed rate, each with speed and the three
/// accelerations, plus whatever extra signals are queued for the next tick.
/// </summary>
internal sealed class TelemetryTrace
{
    public const long Start = 1_764_028_800_000;

    private readonly long _stepMs;
    private readonly List<SignalSample> _extra = [];
    private long _seq;

    public TelemetryTrace(int hz)
    {
        _stepMs = 1000 / hz;
    }

    /// <summary>Car time of the next tick.</summary>
    public long NextTs { get; private set; } = Start;

    public List<TelemetryMessage> Messages { get; } = [];

    public static DateTimeOffset At(long ts) => DateTimeOffset.FromUnixTimeMilliseconds(ts);

    public static TelemetryMessage Message(long ts, long seq, params SignalSample[] samples) =>
        new(ts, seq, samples, At(ts));

    /// <summary>Queues signals for the next tick only.</summary>
    public TelemetryTrace With(params SignalSample[] samples)
    {
        _extra.AddRange(samples);
        return this;
    }

    /// <summary>Steady driving (or standing) for a while.</summary>
    /// <param name="each">Signals repeated in every tick, such as an airbag that stays deployed.</param>
    public TelemetryTrace Hold(
        double seconds, double speed, double longitudinal = 0, double lateral = 0, double vertical = 0, SignalSample[]? each = null)
    {
        var ticks = (int)Math.Round(seconds * 1000 / _stepMs);
        for (var i = 0; i < ticks; i++)
        {
            if (each is not null)
            {
                _extra.AddRange(each);
            }

            Tick(speed, longitudinal, lateral, vertical);
        }

        return this;
    }

    /// <summary>Speed changing linearly over a while, with the matching longitudinal acceleration.</summary>
    public TelemetryTrace Ramp(double seconds, double fromSpeed, double toSpeed)
    {
        var ticks = (int)Math.Round(seconds * 1000 / _stepMs);
        var accel = (toSpeed - fromSpeed) / 3.6 / seconds;
        for (var i = 0; i < ticks; i++)
        {
            Tick(fromSpeed + ((toSpeed - fromSpeed) * i / ticks), accel, 0, 0);
        }

        return this;
    }

    /// <summary>Sample by sample, as in an excerpt of a recording; missing accelerations are zero.</summary>
    public TelemetryTrace Samples(double[] speeds, double[]? longitudinal = null, double[]? lateral = null, double[]? vertical = null)
    {
        for (var i = 0; i < speeds.Length; i++)
        {
            Tick(speeds[i], longitudinal?[i] ?? 0, lateral?[i] ?? 0, vertical?[i] ?? 0);
        }

        return this;
    }

    /// <returns>The car time of the tick.</returns>
    public long Tick(double speed, double longitudinal, double lateral, double vertical)
    {
        var samples = new List<SignalSample>
        {
            Sig.Speed(speed),
            Sig.Num(SignalCatalogue.AccelerationLongitudinal, longitudinal),
            Sig.Num(SignalCatalogue.AccelerationLateral, lateral),
            Sig.Num(SignalCatalogue.AccelerationVertical, vertical),
        };
        samples.AddRange(_extra);
        _extra.Clear();

        var ts = NextTs;
        Messages.Add(Message(ts, ++_seq, [.. samples]));
        NextTs += _stepMs;
        return ts;
    }

    /// <summary>Feeds the whole trace and returns only the decisions that raised or updated an incident.</summary>
    public List<CrashDecision> FeedTo(CrashDetector detector) =>
        Messages.Select(detector.Observe).Where(d => d.Outcome is CrashOutcome.Raised or CrashOutcome.Updated).ToList();

    /// <summary>Feeds the trace and returns every decision, one per document.</summary>
    public List<CrashDecision> FeedAllTo(CrashDetector detector) => Messages.Select(detector.Observe).ToList();
}
