using DigitalTwin.Contract.Events;
using DigitalTwin.Contract.Telemetry;
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

namespace DigitalTwin.Grains.Vehicles;

/// <summary>
/// Orchestrates one car's twin. The decisions live in plain classes (<see cref="TwinState"/>,
/// <see cref="CrashDetector"/>, <see cref="AlertLifecycle"/>); this grain loads, applies, raises alerts
/// (stored durably before anyone hears of them), hands snapshots to the write-behind store at most once per
/// flush interval, publishes changes on its stream while somebody watches and hands every change to the silo's
/// <see cref="IVehicleChangeFeed"/>. One partial file per role:
/// this one ingests and answers reads; <c>.Connection</c> holds the car's session and link, <c>.Watch</c> the live
/// stream, <c>.WriteBehind</c> the snapshot staging, <c>.Crash</c>, <c>.Commands</c> and <c>.Preconditioning</c> their
/// features.
/// </summary>
/// <remarks>
/// Placed on the silo whose gateway first calls it, which is the silo the car's MQTT connection reached: that car's
/// every message is then a local call, instead of a remote one for all but 1/N of the cars in an N-silo cluster.
/// </remarks>
[Orleans.Placement.PreferLocalPlacement]
public sealed partial class VehicleGrain(
    ITwinSnapshotStore store,
    IAlertStore alerts,
    ICommandStore commands,
    ISignalHistoryWriter history,
    IVehicleChangeFeed changeFeed,
    IOptions<PersistenceOptions> options,
    IOptions<CrashDetectionOptions> crashOptions,
    IOptions<CommandPolicyOptions> commandOptions,
    IOptions<PreconditioningOptions> preconditioningOptions,
    [FromKeyedServices(DomainClock.Key)] TimeProvider time,
    ILogger<VehicleGrain> logger) : Grain, IVehicleGrain, IRemindable
{
    // The twin itself; each other part of the grain (its partial file) owns the fields it uses.
    private TwinState _state = null!;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var vin = this.GetPrimaryKeyString();
        var snapshot = await store.LoadAsync(vin, cancellationToken);
        _state = snapshot is null
            ? new TwinState(vin, options.Value.MaxSignalsPerTwin)
            : new TwinState(snapshot, options.Value.MaxSignalsPerTwin);

        await PrimeCrashDetectionAsync(cancellationToken);
        await LoadOpenCommandsAsync(cancellationToken);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Flush();
        await CheckpointInsightsAsync();
    }

    public async ValueTask<ApplyResult> ApplyTelemetry(TelemetryMessage message)
    {
        // Room first, then apply and append in one turn: a twin never holds a document its history could not take.
        if (!history.HasRoomFor(message.Signals.Length) && !await WaitForHistoryRoomAsync(message.Signals.Length))
        {
            return ApplyResult.Deferred;
        }

        var result = _state.Apply(message);
        if (result.Outcome == ApplyOutcome.Applied)
        {
            history.Append(_state.Vin, message);
            var crash = ObserveCrash(message);
            ObserveRoad(message);
            await ChangedAsync();
            await OnCrashDecisionAsync(crash);
            await ReplanIfChangedAsync();
            await ObserveInsightsAsync(message);
        }

        return result;
    }

    /// <summary>The grain waits, and with it the car's next messages and its PUBACK: that is what slows the car down.</summary>
    private async ValueTask<bool> WaitForHistoryRoomAsync(int samples)
    {
        using var timeout = new CancellationTokenSource(options.Value.BackpressureTimeout, time);
        try
        {
            await history.WhenRoomForAsync(samples, timeout.Token);
            return true;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            LogHistoryFull(logger, _state.Vin, options.Value.BackpressureTimeout.TotalSeconds);
            return false;
        }
    }

    public async ValueTask<ApplyResult> ApplyEvent(VehicleEvent vehicleEvent)
    {
        var result = _state.Apply(vehicleEvent);
        if (result.Outcome == ApplyOutcome.Applied)
        {
            LogEvent(logger, _state.Vin, vehicleEvent.Type, vehicleEvent.Seq);
            var crash = ObserveCrash(vehicleEvent);
            ObserveRoad(vehicleEvent);
            await ChangedAsync();
            await OnCrashDecisionAsync(crash);
            await ObserveInsightsAsync(vehicleEvent);
        }

        return result;
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
            DiscardUnstagedChanges();
            DeactivateOnIdle();
        }

        return ValueTask.CompletedTask;
    }

    // Debug: under overload every car would log one; the ingress counts them (outcome "deferred").
    [LoggerMessage(Level = LogLevel.Debug, Message = "Telemetry of {Vin} deferred: history had no room within {Seconds} s (Persistence:BackpressureTimeout)")]
    private static partial void LogHistoryFull(ILogger logger, string vin, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Twin {Vin} at version {Version} lost to stored version {StoredVersion}; reloading")]
    private static partial void LogReload(ILogger logger, string vin, long version, long storedVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "Vehicle {Vin} reported event {Type} (seq {Seq})")]
    private static partial void LogEvent(ILogger logger, string vin, string type, long seq);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing a {Kind} of {Vin} failed")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, string vin, string kind);
}
