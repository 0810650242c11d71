using DigitalTwin.Grains.Abstractions.Telemetry;
using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Grains.Persistence;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Grains.Vehicles;

/// <summary>
/// Orchestrates one car's twin: the decisions live in <see cref="TwinState"/> and the feature classes;
/// this grain loads, applies, and hands snapshots to the write-behind store at most once per flush interval.
/// </summary>
public sealed partial class VehicleGrain(
    ITwinSnapshotStore store,
    IOptions<PersistenceOptions> options,
    ILogger<VehicleGrain> logger) : Grain, IVehicleGrain
{
    private readonly PersistenceOptions _options = options.Value;
    private TwinState _state = null!;
    private bool _dirty;
    private IGrainTimer? _flushTimer;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var vin = this.GetPrimaryKeyString();
        var snapshot = await store.LoadAsync(vin, cancellationToken);
        _state = snapshot is null
            ? new TwinState(vin, _options.MaxSignalsPerTwin)
            : new TwinState(snapshot, _options.MaxSignalsPerTwin);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Flush();
        return Task.CompletedTask;
    }

    public ValueTask<ApplyResult> ApplyTelemetry(TelemetryMessage message)
    {
        var result = _state.Apply(message);
        if (result.Outcome == ApplyOutcome.Applied)
        {
            MarkDirty();
        }

        return ValueTask.FromResult(result);
    }

    public ValueTask<ApplyResult> ApplyEvent(VehicleEvent vehicleEvent)
    {
        var result = _state.Apply(vehicleEvent);
        if (result.Outcome == ApplyOutcome.Applied)
        {
            LogEvent(logger, _state.Vin, vehicleEvent.Type, vehicleEvent.Seq);
            MarkDirty();
        }

        return ValueTask.FromResult(result);
    }

    public ValueTask ReportConnectivity(bool online, DateTimeOffset at)
    {
        if (_state.ReportConnectivity(online, at))
        {
            MarkDirty();
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<TwinSnapshot> GetTwin() => ValueTask.FromResult(_state.ToSnapshot());

    private void MarkDirty()
    {
        _dirty = true;
        _flushTimer ??= this.RegisterGrainTimer(
            static (grain, _) => grain.OnFlushTimer(),
            this,
            new GrainTimerCreationOptions(_options.FlushInterval, _options.FlushInterval) { KeepAlive = false });
    }

    private Task OnFlushTimer()
    {
        if (!Flush())
        {
            // Quiet twins cost no timer ticks.
            _flushTimer?.Dispose();
            _flushTimer = null;
        }

        return Task.CompletedTask;
    }

    private bool Flush()
    {
        if (!_dirty)
        {
            return false;
        }

        store.Stage(_state.ToSnapshot());
        _dirty = false;
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Vehicle {Vin} reported event {Type} (seq {Seq})")]
    private static partial void LogEvent(ILogger logger, string vin, string type, long seq);
}
