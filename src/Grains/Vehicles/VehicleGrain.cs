using DigitalTwin.Grains.Abstractions.Telemetry;
using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Grains.History;
using DigitalTwin.Grains.Persistence;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace DigitalTwin.Grains.Vehicles;

/// <summary>
/// Orchestrates one car's twin: the decisions live in <see cref="TwinState"/> and the feature classes;
/// this grain loads, applies, hands snapshots to the write-behind store at most once per flush interval,
/// appends history, and publishes changes on its stream while somebody watches.
/// </summary>
public sealed partial class VehicleGrain(
    ITwinSnapshotStore store,
    ISignalHistory history,
    IOptions<PersistenceOptions> options,
    TimeProvider time,
    ILogger<VehicleGrain> logger) : Grain, IVehicleGrain
{
    private const int RecentEventCapacity = 32;

    private readonly PersistenceOptions _options = options.Value;
    private readonly Queue<VehicleStreamEvent> _recentEvents = new();
    private TwinState _state = null!;
    private bool _dirty;
    private IGrainTimer? _flushTimer;
    private DateTimeOffset _watchedUntil = DateTimeOffset.MinValue;
    private IAsyncStream<VehicleStreamEvent>? _stream;

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

    public async ValueTask<ApplyResult> ApplyTelemetry(TelemetryMessage message)
    {
        var result = _state.Apply(message);
        if (result.Outcome == ApplyOutcome.Applied)
        {
            history.Append(_state.Vin, message);
            await ChangedAsync();
        }

        return result;
    }

    public async ValueTask<ApplyResult> ApplyEvent(VehicleEvent vehicleEvent)
    {
        var result = _state.Apply(vehicleEvent);
        if (result.Outcome == ApplyOutcome.Applied)
        {
            LogEvent(logger, _state.Vin, vehicleEvent.Type, vehicleEvent.Seq);
            await ChangedAsync();
        }

        return result;
    }

    public async ValueTask ReportConnectivity(bool online, DateTimeOffset at)
    {
        if (_state.ReportConnectivity(online, at))
        {
            await ChangedAsync();
        }
    }

    public ValueTask<TwinSnapshot> GetTwin() => ValueTask.FromResult(_state.ToSnapshot());

    public ValueTask<IReadOnlyList<VehicleStreamEvent>> Watch(long? lastEventId)
    {
        _watchedUntil = time.GetUtcNow() + VehicleStreams.WatchLease;
        var missed = new List<VehicleStreamEvent>();
        if (lastEventId is null || _state.Version > lastEventId)
        {
            missed.Add(new VehicleStreamEvent(_state.Version, VehicleEventTypes.Twin, _state.ToSnapshot()));
        }

        missed.AddRange(_recentEvents.Where(e => e.Id > (lastEventId ?? long.MinValue) && e.Type != VehicleEventTypes.Twin));
        missed.Sort(static (a, b) => a.Id.CompareTo(b.Id));
        return ValueTask.FromResult<IReadOnlyList<VehicleStreamEvent>>(missed);
    }

    private async ValueTask ChangedAsync()
    {
        MarkDirty();
        if (time.GetUtcNow() < _watchedUntil)
        {
            // Only while an API node holds an SSE connection for this car: unwatched twins publish nothing.
            await PublishAsync(new VehicleStreamEvent(_state.Version, VehicleEventTypes.Twin, _state.ToSnapshot()));
        }
    }

    /// <summary>Events other than twin changes (alerts, command updates) are also kept for catch-up.</summary>
    private async ValueTask PublishAsync(VehicleStreamEvent streamEvent)
    {
        if (streamEvent.Type != VehicleEventTypes.Twin)
        {
            _recentEvents.Enqueue(streamEvent);
            while (_recentEvents.Count > RecentEventCapacity)
            {
                _recentEvents.Dequeue();
            }
        }

        _stream ??= this.GetStreamProvider(VehicleStreams.ProviderName)
            .GetStream<VehicleStreamEvent>(StreamId.Create(VehicleStreams.Namespace, _state.Vin));
        try
        {
            await _stream.OnNextAsync(streamEvent);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Live updates are best effort; the twin itself has been applied and watchers catch up on reconnect.
            LogPublishFailed(logger, ex, _state.Vin);
        }
    }

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing a live change of {Vin} failed")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, string vin);
}
