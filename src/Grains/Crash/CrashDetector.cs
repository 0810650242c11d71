using DigitalTwin.Contract.Events;
using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Crash;
using DigitalTwin.Grains.Abstractions.Vehicles;

namespace DigitalTwin.Grains.Crash;

/// <summary>
/// Decides, for one car, whether telemetry and events show a crash. Stateful but free of Orleans and clocks:
/// every judgement uses the car's own sample times.
/// <list type="bullet">
/// <item><b>Airbag</b>: a <c>...Airbag.IsDeployed</c> signal turning true on any seat, or an <c>AirbagDeployed</c>
/// event. The signal is edge-triggered: an airbag that stays deployed in every later sample is one trigger, not one per
/// sample; it re-arms once the car reports it not deployed.</item>
/// <item><b>Severe deceleration</b>: a sample whose |longitudinal| or |lateral| acceleration reaches
/// <see cref="CrashDetectionOptions.ImpactAccelerationMps2"/>, together with a speed above
/// <see cref="CrashDetectionOptions.MovingSpeedKmh"/> within the window before it and a speed below
/// <see cref="CrashDetectionOptions.StandstillSpeedKmh"/> within the window after it. Vertical acceleration is never a
/// trigger (potholes, speed bumps). Without speed data a peak cannot be confirmed.</item>
/// <item><b>SOS</b>: a <c>SosButton</c> event.</item>
/// </list>
/// Severity: a delta-v (highest speed before minus lowest after) from the severe or critical threshold sets it;
/// an airbag makes it at least severe; an SOS press alone is minor. Severity never goes down within an incident.
/// <para>
/// A trigger within <see cref="CrashDetectionOptions.IncidentWindow"/> of the open incident's first trigger updates that
/// incident when it adds something (a trigger, a higher delta-v or severity) and is otherwise silent; a later one raises a
/// new incident. Evidence older than the open incident by more than the window is history and ignored.
/// </para>
/// <para>
/// Telemetry whose seq or ts is not above the last seen one, and events whose seq is not above the last seen one, are
/// stale: they change nothing, so a late or repeated copy of a crash pulse can neither raise nor hide a crash.
/// </para>
/// </summary>
public sealed class CrashDetector
{
    public const string AirbagDeployedEvent = "AirbagDeployed";
    public const string SosButtonEvent = "SosButton";

    private readonly CrashDetectionOptions _options;
    private readonly long _dropWindowMs;

    // One detector per twin, so its state is sized to what the car sent: plain arrays, no collections with spare room.
    // Speeds are kept sorted by time (stale telemetry never gets in); the seats and airbags are null until the car
    // reports one, and the airbags hold only those deployed now.
    private (long Ts, double Kmh)[] _speeds = [];
    private int _speedCount;
    private string[]? _deployedAirbags;
    private (string Name, bool Occupied)[]? _seats;
    private (double Value, long Ts)? _latitude;
    private (double Value, long Ts)? _longitude;
    private (double Value, long Ts)? _heading;

    // The first over-threshold sample of a pulse, waiting for the speed drop that confirms it.
    private (long Ts, double Peak)? _impact;

    private long _lastTelemetryTs = long.MinValue;
    private long _lastTelemetrySeq = -1;
    private long _lastEventSeq = -1;
    private bool _observed;
    private bool _raisedNow;

    public CrashDetector(CrashDetectionOptions? options = null)
    {
        _options = options ?? new CrashDetectionOptions();
        _dropWindowMs = (long)_options.SpeedDropWindow.TotalMilliseconds;
    }

    /// <summary>The most recent incident, open or not; null until one is raised.</summary>
    public CrashIncident? LatestIncident { get; private set; }

    /// <summary>
    /// Seeds the detector with what the twin already knows, so that a reactivated grain neither re-raises an airbag that
    /// was deployed before nor re-evaluates documents it has applied. Call once, before the first observation.
    /// </summary>
    /// <param name="latestIncident">The incident the grain last published, so that triggers within its window update it.</param>
    public void Prime(TwinSnapshot snapshot, CrashIncident? latestIncident = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (_observed)
        {
            throw new InvalidOperationException("A crash detector can only be primed before it observes anything.");
        }

        _lastTelemetrySeq = snapshot.LastTelemetrySeq;
        _lastEventSeq = snapshot.LastEventSeq;
        var peak = 0.0;
        foreach (var (name, reading) in snapshot.Signals)
        {
            Absorb(name, reading.Value, reading.Ts, ref peak);
            _lastTelemetryTs = Math.Max(_lastTelemetryTs, reading.Ts);
        }

        _speeds.AsSpan(0, _speedCount).Sort(static (a, b) => a.Ts.CompareTo(b.Ts));
        LatestIncident = latestIncident;
        _observed = true;
    }

    public CrashDecision Observe(TelemetryMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);

        // seq is the contract's duplicate rule; ts also guards the time windows below against a car clock that went back.
        if (message.Seq <= _lastTelemetrySeq || message.Ts <= _lastTelemetryTs)
        {
            return CrashDecision.Stale;
        }

        _observed = true;
        _lastTelemetrySeq = message.Seq;
        _lastTelemetryTs = message.Ts;
        var ts = message.Ts;
        var before = LatestIncident;
        _raisedNow = false;

        var peak = 0.0;
        var airbagFired = false;
        foreach (var sample in message.Signals)
        {
            airbagFired |= Absorb(sample.Name, sample.Value, ts, ref peak);
        }

        // Anything older cannot fall into the window of a pulse that is still waiting for its speed drop.
        ForgetSpeedsBefore(ts - (2 * _dropWindowMs));

        if (airbagFired)
        {
            Record(CrashTrigger.Airbag, ts, HighestSpeed(ts - _dropWindowMs, ts), deltaV: null, peak: null);
        }

        if (_impact is { } expired && ts - expired.Ts > _dropWindowMs)
        {
            _impact = null;
        }

        if (peak >= _options.ImpactAccelerationMps2)
        {
            // The rest of a pulse belongs to the impact that started it: its time stays the first sample's.
            _impact = _impact is { } open ? (open.Ts, Math.Max(open.Peak, peak)) : (ts, peak);
        }

        if (_impact is { } impact && TryConfirm(impact.Ts, out var speedBefore, out var speedAfter))
        {
            _impact = null;
            Record(CrashTrigger.SevereDeceleration, impact.Ts, speedBefore, speedBefore - speedAfter, impact.Peak);
        }

        return Conclude(before);
    }

    public CrashDecision Observe(VehicleEvent vehicleEvent)
    {
        ArgumentNullException.ThrowIfNull(vehicleEvent);
        if (vehicleEvent.Seq <= _lastEventSeq)
        {
            return CrashDecision.Stale;
        }

        _observed = true;
        _lastEventSeq = vehicleEvent.Seq;
        var trigger = vehicleEvent.Type switch
        {
            AirbagDeployedEvent => CrashTrigger.Airbag,
            SosButtonEvent => CrashTrigger.SosButton,
            _ => CrashTrigger.None,
        };

        if (trigger == CrashTrigger.None)
        {
            return CrashDecision.None;
        }

        var before = LatestIncident;
        _raisedNow = false;
        var ts = vehicleEvent.Ts;
        Record(trigger, ts, HighestSpeed(ts - _dropWindowMs, ts), deltaV: null, peak: null);
        return Conclude(before);
    }

    /// <returns>True when an airbag turned deployed with this sample.</returns>
    private bool Absorb(string name, SignalValue value, long ts, ref double peak)
    {
        if (value.Kind == SignalKind.Number)
        {
            switch (name)
            {
                case SignalCatalogue.Speed:
                    AddSpeed(ts, value.Number);
                    break;
                case SignalCatalogue.Latitude:
                    _latitude = (value.Number, ts);
                    break;
                case SignalCatalogue.Longitude:
                    _longitude = (value.Number, ts);
                    break;
                case SignalCatalogue.Heading:
                    _heading = (value.Number, ts);
                    break;
                case SignalCatalogue.AccelerationLongitudinal or SignalCatalogue.AccelerationLateral:
                    peak = Math.Max(peak, Math.Abs(value.Number));
                    break;
            }

            return false;
        }

        // Only the catalogue's seats: a car inventing seat names must neither grow this state nor inflate the occupant count.
        if (value.Kind != SignalKind.Boolean || !SignalCatalogue.TryGet(name, out var spec))
        {
            return false;
        }

        // The catalogue's own string, so a name that came from a database is not kept once per twin.
        name = spec.Name;
        if (SignalCatalogue.IsAirbagDeployedSignal(name))
        {
            var wasDeployed = Array.IndexOf(_deployedAirbags ?? [], name) >= 0;
            if (value.AsBoolean && !wasDeployed)
            {
                _deployedAirbags = [.. _deployedAirbags ?? [], name];
            }
            else if (!value.AsBoolean && wasDeployed)
            {
                _deployedAirbags = _deployedAirbags!.Length == 1 ? null : [.. _deployedAirbags.Where(a => !ReferenceEquals(a, name))];
            }

            return value.AsBoolean && !wasDeployed;
        }

        if (SignalCatalogue.IsSeatOccupiedSignal(name))
        {
            var seats = _seats ?? [];
            var index = 0;
            while (index < seats.Length && !ReferenceEquals(seats[index].Name, name))
            {
                index++;
            }

            if (index == seats.Length)
            {
                _seats = [.. seats, (name, value.AsBoolean)];
            }
            else
            {
                seats[index].Occupied = value.AsBoolean;
            }
        }

        return false;
    }

    private void AddSpeed(long ts, double kmh)
    {
        if (_speedCount == _speeds.Length)
        {
            Array.Resize(ref _speeds, Math.Max(1, _speedCount * 2));
        }

        _speeds[_speedCount++] = (ts, kmh);
    }

    private void ForgetSpeedsBefore(long keepFrom)
    {
        var stale = 0;
        while (stale < _speedCount && _speeds[stale].Ts < keepFrom)
        {
            stale++;
        }

        if (stale == 0)
        {
            return;
        }

        _speedCount -= stale;
        Array.Copy(_speeds, stale, _speeds, 0, _speedCount);
        Array.Clear(_speeds, _speedCount, stale);

        // A car that drove with frequent samples and then parked need not keep the room they took.
        if (_speeds.Length > 4 && _speedCount <= _speeds.Length / 4)
        {
            Array.Resize(ref _speeds, Math.Max(1, _speedCount * 2));
        }
    }

    private bool TryConfirm(long impactTs, out double speedBefore, out double speedAfter)
    {
        var highest = HighestSpeed(impactTs - _dropWindowMs, impactTs);
        var lowest = LowestSpeed(impactTs, impactTs + _dropWindowMs);
        speedBefore = highest ?? 0;
        speedAfter = lowest ?? 0;
        return highest > _options.MovingSpeedKmh && lowest < _options.StandstillSpeedKmh;
    }

    private double? HighestSpeed(long from, long to)
    {
        double? highest = null;
        foreach (var (ts, kmh) in _speeds.AsSpan(0, _speedCount))
        {
            // Reversing is negative speed in VSS; what matters for an impact is how fast the car went, not which way.
            var magnitude = Math.Abs(kmh);
            if (ts >= from && ts <= to && (highest is null || magnitude > highest))
            {
                highest = magnitude;
            }
        }

        return highest;
    }

    private double? LowestSpeed(long from, long to)
    {
        double? lowest = null;
        foreach (var (ts, kmh) in _speeds.AsSpan(0, _speedCount))
        {
            var magnitude = Math.Abs(kmh);
            if (ts >= from && ts <= to && (lowest is null || magnitude < lowest))
            {
                lowest = magnitude;
            }
        }

        return lowest;
    }

    private void Record(CrashTrigger trigger, long ts, double? speedBefore, double? deltaV, double? peak)
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(ts);
        var current = LatestIncident;
        if (current is not null && at < current.OccurredAt + _options.IncidentWindow)
        {
            if (at < current.OccurredAt - _options.IncidentWindow)
            {
                return;
            }

            var triggers = current.Triggers | trigger;
            var mergedDeltaV = Max(current.DeltaVKmh, deltaV);
            var severity = (CrashSeverity)Math.Max((int)current.Severity, (int)Assess(triggers, mergedDeltaV));
            if (triggers == current.Triggers && mergedDeltaV == current.DeltaVKmh && severity == current.Severity)
            {
                return;
            }

            LatestIncident = current with
            {
                UpdatedAt = at > current.UpdatedAt ? at : current.UpdatedAt,
                Severity = severity,
                Triggers = triggers,
                Position = PositionAt(current.OccurredAt) ?? current.Position,
                Occupants = CountOccupants() ?? current.Occupants,
                SpeedBeforeKmh = Max(current.SpeedBeforeKmh, speedBefore),
                DeltaVKmh = mergedDeltaV,
                PeakAccelerationMps2 = Max(current.PeakAccelerationMps2, peak),
            };
            return;
        }

        _raisedNow = true;
        LatestIncident = new CrashIncident(
            OccurredAt: at,
            UpdatedAt: at,
            Severity: Assess(trigger, deltaV),
            Trigger: trigger,
            Triggers: trigger,
            Position: PositionAt(at),
            Occupants: CountOccupants(),
            SpeedBeforeKmh: speedBefore,
            DeltaVKmh: deltaV,
            PeakAccelerationMps2: peak,
            Revision: 1);
    }

    private CrashDecision Conclude(CrashIncident? before)
    {
        var after = LatestIncident;
        if (after is null || ReferenceEquals(before, after))
        {
            return CrashDecision.None;
        }

        if (_raisedNow || before is null)
        {
            // Evidence that raised and then updated an incident within one document is still one new alert.
            LatestIncident = after with { Revision = 1 };
            return new CrashDecision(CrashOutcome.Raised, LatestIncident);
        }

        LatestIncident = after with { Revision = before.Revision + 1 };
        return new CrashDecision(CrashOutcome.Updated, LatestIncident);
    }

    private CrashSeverity Assess(CrashTrigger triggers, double? deltaV)
    {
        var severity = deltaV switch
        {
            { } dv when dv >= _options.CriticalDeltaVKmh => CrashSeverity.Critical,
            { } dv when dv >= _options.SevereDeltaVKmh => CrashSeverity.Severe,
            _ => CrashSeverity.Minor,
        };

        // An airbag fires only in an impact its own sensors judged dangerous, whatever the reported speeds say.
        if (triggers.HasFlag(CrashTrigger.Airbag) && severity < CrashSeverity.Severe)
        {
            severity = CrashSeverity.Severe;
        }

        return severity;
    }

    private CrashPosition? PositionAt(DateTimeOffset at)
    {
        if (_latitude is not { } lat || _longitude is not { } lon)
        {
            return null;
        }

        var fixAt = DateTimeOffset.FromUnixTimeMilliseconds(Math.Min(lat.Ts, lon.Ts));
        var age = at - fixAt;
        return new CrashPosition(lat.Value, lon.Value, _heading?.Value, age < TimeSpan.Zero ? TimeSpan.Zero : age);
    }

    private int? CountOccupants() => _seats is null ? null : _seats.Count(s => s.Occupied);

    private static double? Max(double? a, double? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);
}
