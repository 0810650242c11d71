using System.Text.Json;
using DigitalTwin.Grains.Abstractions.Crash;
using DigitalTwin.Grains.Abstractions.Telemetry;
using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Grains.Alerts;
using DigitalTwin.Grains.Commands;
using DigitalTwin.Grains.Crash;
using DigitalTwin.Grains.Preconditioning;
using DigitalTwin.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace DigitalTwin.Grains.Vehicles;

/// <summary>
/// Orchestrates one car's twin. The decisions live in plain classes (<see cref="TwinState"/>,
/// <see cref="CrashDetector"/>, <see cref="AlertLifecycle"/>); this grain loads, applies, raises alerts
/// (stored durably before anyone hears of them), hands snapshots to the write-behind store at most once per
/// flush interval, and publishes changes on its stream while somebody watches.
/// </summary>
public sealed partial class VehicleGrain(
    ITwinSnapshotStore store,
    IAlertStore alerts,
    ICommandStore commands,
    ISignalHistoryWriter history,
    IOptions<PersistenceOptions> options,
    IOptions<CrashDetectionOptions> crashOptions,
    IOptions<CommandPolicyOptions> commandOptions,
    IOptions<PreconditioningOptions> preconditioningOptions,
    [FromKeyedServices(DomainClock.Key)] TimeProvider time,
    ILogger<VehicleGrain> logger) : Grain, IVehicleGrain, IRemindable
{
    private const int RecentEventCapacity = 32;
    private const int MaxOutbox = 64;
    private const long NeverStaged = long.MinValue / 2;

    private readonly PersistenceOptions _options = options.Value;
    // Both made on first use: most twins never publish an event beyond the twin itself, nor wait for a car to listen.
    private Queue<VehicleStreamEvent>? _recentEvents;
    private List<OutboundMessage>? _outbox;
    private TwinState _state = null!;
    private CrashDetector _crash = null!;
    private bool _dirty;
    private long _stagedAt = NeverStaged;
    private IGrainTimer? _flushTimer;
    private DateTimeOffset _watchedUntil = DateTimeOffset.MinValue;
    private IAsyncStream<VehicleStreamEvent>? _stream;
    private string? _sessionId;
    private ICarLink? _carLink;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var vin = this.GetPrimaryKeyString();
        var snapshot = await store.LoadAsync(vin, cancellationToken);
        _state = snapshot is null
            ? new TwinState(vin, _options.MaxSignalsPerTwin)
            : new TwinState(snapshot, _options.MaxSignalsPerTwin);

        // The alert store is written before anyone is told, the snapshot only later: after a crash of the silo
        // the store may know an alert the snapshot does not, and it must not be raised a second time.
        var latest = (await alerts.ListAsync(vin, 1, cancellationToken)).FirstOrDefault();
        if (latest is not null && (_state.Crash is null || latest.UpdatedAt > _state.Crash.UpdatedAt))
        {
            _state.SetCrash(latest);
        }

        _crash = new CrashDetector(crashOptions.Value);
        _crash.Prime(_state.ToSnapshot(), _state.Crash?.Incident);

        var open = await commands.LoadOpenAsync(vin, cancellationToken);
        _commands = open.Count == 0 ? null : new CommandQueue(open);
        ArmExpiryTimer();
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
            var crash = _crash.Observe(message);
            await ChangedAsync();
            await OnCrashDecisionAsync(crash);
            await ReplanIfChangedAsync();
        }

        return result;
    }

    public async ValueTask<ApplyResult> ApplyEvent(VehicleEvent vehicleEvent)
    {
        var result = _state.Apply(vehicleEvent);
        if (result.Outcome == ApplyOutcome.Applied)
        {
            LogEvent(logger, _state.Vin, vehicleEvent.Type, vehicleEvent.Seq);
            var crash = _crash.Observe(vehicleEvent);
            await ChangedAsync();
            await OnCrashDecisionAsync(crash);
        }

        return result;
    }

    public async ValueTask ConnectionOpened(string sessionId, DateTimeOffset at)
    {
        _sessionId = sessionId;
        _carLink = null;
        if (_state.ReportConnectivity(true, at))
        {
            await ChangedAsync();
        }
    }

    public async ValueTask ConnectionClosed(string sessionId, DateTimeOffset at)
    {
        if (!string.Equals(sessionId, _sessionId, StringComparison.Ordinal))
        {
            return;
        }

        _sessionId = null;
        _carLink = null;
        if (_state.ReportConnectivity(false, at))
        {
            await ChangedAsync();
        }
    }

    public async ValueTask CommandChannelOpened(string sessionId, ICarLink link)
    {
        if (!string.Equals(sessionId, _sessionId, StringComparison.Ordinal))
        {
            return;
        }

        _carLink = link;
        var waiting = _outbox;
        _outbox = null;
        foreach (var message in waiting ?? [])
        {
            await SendToCarAsync(message);
        }

        await DeliverCommandsAsync();
    }

    public async ValueTask ReportStatus(bool online, DateTimeOffset at)
    {
        if (_state.ReportConnectivity(online, at))
        {
            await ChangedAsync();
        }
    }

    public ValueTask<TwinSnapshot> GetTwin() => ValueTask.FromResult(_state.ToSnapshot());

    public ValueTask Reload(long storedVersion)
    {
        if (_state.Version <= storedVersion)
        {
            LogReload(logger, _state.Vin, _state.Version, storedVersion);
            _dirty = false;
            DeactivateOnIdle();
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<VehicleStreamEvent>> Watch(long? lastEventId)
    {
        _watchedUntil = time.GetUtcNow() + VehicleStreams.WatchLease;
        var missed = new List<VehicleStreamEvent>();
        if (lastEventId is null || _state.Version > lastEventId)
        {
            missed.Add(new VehicleStreamEvent(_state.Version, VehicleEventTypes.Twin, _state.ToSnapshot()));
        }

        missed.AddRange(_recentEvents?.Where(e => e.Id > (lastEventId ?? long.MinValue)) ?? []);
        missed.Sort(static (a, b) => a.Id.CompareTo(b.Id));
        return ValueTask.FromResult<IReadOnlyList<VehicleStreamEvent>>(missed);
    }

    /// <summary>
    /// Through the gateway that holds the car's session, whichever silo that is; held here until the car
    /// subscribes to its commands when it is not reachable now. Queued commands have their own, durable queue
    /// (<see cref="CommandQueue"/>); this outbox only holds what is fine to lose with the activation.
    /// </summary>
    private async ValueTask SendToCarAsync(OutboundMessage message)
    {
        if (_carLink is { } link)
        {
            try
            {
                await link.Deliver(message);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The gateway went away with its silo; the car will reconnect somewhere and listen again.
                LogPublishFailed(logger, ex, _state.Vin, nameof(OutboundMessage));
                _carLink = null;
            }
        }

        _outbox ??= [];
        if (_outbox.Count >= MaxOutbox)
        {
            _outbox.RemoveAt(0);
        }

        _outbox.Add(message);
    }

    private bool IsWatched => time.GetUtcNow() < _watchedUntil;

    /// <summary>Events other than twin changes are also kept for clients that resume with Last-Event-ID.</summary>
    private async ValueTask PublishEventAsync(VehicleStreamEvent streamEvent)
    {
        // Its id bumped the twin's version: a change the store must see like any other.
        MarkDirty();
        _recentEvents ??= new Queue<VehicleStreamEvent>();
        _recentEvents.Enqueue(streamEvent);
        while (_recentEvents.Count > RecentEventCapacity)
        {
            _recentEvents.Dequeue();
        }

        if (IsWatched)
        {
            await PublishAsync(VehicleStream, streamEvent);
        }
    }

    private IAsyncStream<VehicleStreamEvent> VehicleStream => _stream ??=
        this.GetStreamProvider(VehicleStreams.ProviderName).GetStream<VehicleStreamEvent>(StreamId.Create(VehicleStreams.Namespace, _state.Vin));

    private async ValueTask ChangedAsync()
    {
        MarkDirty();
        if (IsWatched)
        {
            // Only while an API node holds an SSE connection for this car: unwatched twins publish nothing.
            await PublishAsync(VehicleStream, new VehicleStreamEvent(_state.Version, VehicleEventTypes.Twin, _state.ToSnapshot()));
        }
    }

    private async ValueTask PublishAsync<T>(IAsyncStream<T> stream, T item)
    {
        try
        {
            await stream.OnNextAsync(item);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Live delivery is best effort: the twin and the alert are already applied and stored, and
            // watchers catch up from the grain when they renew or reconnect.
            LogPublishFailed(logger, ex, _state.Vin, typeof(T).Name);
        }
    }

    /// <summary>
    /// Call after every change of the twin, the last one of a request included: a twin that staged nothing for a
    /// whole flush interval stages at once, so what changes after this call in the same request waits for the next.
    /// </summary>
    private void MarkDirty()
    {
        _dirty = true;
        if (_flushTimer is not null)
        {
            return;
        }

        // A car that sends less often than the flush interval, like a parked one, never needs the timer: besides
        // its ticks, Orleans keeps ~400 B per activation for the first timer a grain registers, until it deactivates.
        var waitMs = (long)_options.FlushInterval.TotalMilliseconds - (Environment.TickCount64 - _stagedAt);
        if (waitMs <= 0)
        {
            Flush();
            return;
        }

        _flushTimer = this.RegisterGrainTimer(
            static (grain, _) => grain.OnFlushTimer(),
            this,
            new GrainTimerCreationOptions(TimeSpan.FromMilliseconds(waitMs), _options.FlushInterval) { KeepAlive = false });
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
        _stagedAt = Environment.TickCount64;
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Twin {Vin} at version {Version} lost to stored version {StoredVersion}; reloading")]
    private static partial void LogReload(ILogger logger, string vin, long version, long storedVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "Vehicle {Vin} reported event {Type} (seq {Seq})")]
    private static partial void LogEvent(ILogger logger, string vin, string type, long seq);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing a {Kind} of {Vin} failed")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, string vin, string kind);
}
