using DigitalTwin.Contract.Events;
using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Crash;
using DigitalTwin.Grains.Abstractions.Preconditioning;
using DigitalTwin.Grains.Abstractions.Telemetry;
using DigitalTwin.Grains.Abstractions.Vehicles;

namespace DigitalTwin.Grains.Vehicles;

/// <summary>
/// The mutable heart of a twin, free of Orleans: applies validated documents with the seq rule
/// (a document whose seq is not above the last applied one changes nothing) and renders snapshots.
/// </summary>
public sealed class TwinState
{
    public const int DefaultMaxSignals = 256;

    private readonly int _maxSignals;
    private SignalTable _signals;
    private DateTimeOffset _connectivityAt = DateTimeOffset.MinValue;

    public TwinState(string vin, int maxSignals = DefaultMaxSignals)
    {
        Vin = vin;
        _maxSignals = maxSignals;
        _signals = SignalTable.Empty;
    }

    public TwinState(TwinSnapshot snapshot, int maxSignals = DefaultMaxSignals)
    {
        Vin = snapshot.Vin;
        _maxSignals = maxSignals;
        // A table from the in-memory store is taken as it is, still shared with the stored snapshot.
        _signals = SignalTable.From(snapshot.Signals);
        Online = snapshot.Online;
        LastSeenAt = snapshot.LastSeenAt;
        Version = snapshot.Version;
        LastTelemetrySeq = snapshot.LastTelemetrySeq;
        LastEventSeq = snapshot.LastEventSeq;
        Crash = snapshot.Crash;
        Preconditioning = snapshot.Preconditioning;
    }

    public string Vin { get; }
    public bool Online { get; private set; }
    public DateTimeOffset? LastSeenAt { get; private set; }
    public long Version { get; private set; }
    public long LastTelemetrySeq { get; private set; } = -1;
    public long LastEventSeq { get; private set; } = -1;
    public IReadOnlyDictionary<string, SignalReading> Signals => _signals;
    public CrashAlert? Crash { get; private set; }
    public PreconditioningPlan? Preconditioning { get; private set; }

    public long SetPreconditioning(PreconditioningPlan? plan)
    {
        Preconditioning = plan;
        return ++Version;
    }

    /// <summary>Records the latest crash alert; a change of the twin like any other.</summary>
    public long SetCrash(CrashAlert alert)
    {
        Crash = alert;
        return ++Version;
    }

    /// <summary>Marks a change that has no field of its own (an event published), so ids keep growing.</summary>
    public long Bump() => ++Version;

    public ApplyResult Apply(TelemetryMessage message)
    {
        if (message.Seq <= LastTelemetrySeq)
        {
            return ApplyResult.Duplicate;
        }

        LastTelemetrySeq = message.Seq;

        // A car cannot grow its twin without bound by inventing signal names: past the limit, new names are dropped.
        _signals = _signals.Write(message.Signals, message.Ts, _maxSignals, out var dropped);
        Touch(message.ReceivedAt);
        Version++;
        return new ApplyResult(ApplyOutcome.Applied, dropped);
    }

    public ApplyResult Apply(VehicleEvent vehicleEvent)
    {
        if (vehicleEvent.Seq <= LastEventSeq)
        {
            return ApplyResult.Duplicate;
        }

        LastEventSeq = vehicleEvent.Seq;
        Touch(vehicleEvent.ReceivedAt);
        Version++;
        return ApplyResult.Applied;
    }

    /// <returns>True when the twin changed.</returns>
    public bool ReportConnectivity(bool online, DateTimeOffset at)
    {
        // Connect and disconnect notices can overtake each other; an older one must not undo a newer one.
        if (at < _connectivityAt || (Online == online && LastSeenAt >= at))
        {
            return false;
        }

        _connectivityAt = at;
        Online = online;
        Touch(at);
        Version++;
        return true;
    }

    public TwinSnapshot ToSnapshot() => new()
    {
        Vin = Vin,
        Online = Online,
        LastSeenAt = LastSeenAt,
        Version = Version,
        LastTelemetrySeq = LastTelemetrySeq,
        LastEventSeq = LastEventSeq,
        // Shared, not copied: a frozen table never changes, and the twin's next write goes to a copy.
        Signals = _signals.Freeze(),
        Crash = Crash,
        Preconditioning = Preconditioning,
    };

    private void Touch(DateTimeOffset at)
    {
        if (LastSeenAt is null || at > LastSeenAt)
        {
            LastSeenAt = at;
        }
    }
}
