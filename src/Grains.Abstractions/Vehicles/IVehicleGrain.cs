using DigitalTwin.Grains.Abstractions.Commands;
using DigitalTwin.Grains.Abstractions.Preconditioning;
using DigitalTwin.Grains.Abstractions.Crash;
using DigitalTwin.Grains.Abstractions.Telemetry;
using DigitalTwin.Contract.Commands;
using DigitalTwin.Contract.Events;
using DigitalTwin.Contract.Telemetry;

namespace DigitalTwin.Grains.Abstractions.Vehicles;

/// <summary>The digital twin of one car, keyed by its VIN.</summary>
[Alias("dt.IVehicleGrain")]
public interface IVehicleGrain : IGrainWithStringKey
{
    [Alias("ApplyTelemetry")]
    ValueTask<ApplyResult> ApplyTelemetry(TelemetryMessage message);

    [Alias("ApplyEvent")]
    ValueTask<ApplyResult> ApplyEvent(VehicleEvent vehicleEvent);

    /// <summary>The car opened an MQTT session; it is online.</summary>
    /// <param name="sessionId">Unique per connection, so a late close of an older session cannot take the car offline.</param>
    [Alias("ConnectionOpened")]
    ValueTask ConnectionOpened(string sessionId, DateTimeOffset at);

    /// <summary>A session closed; the car goes offline only if it was its current session.</summary>
    [Alias("ConnectionClosed")]
    ValueTask ConnectionClosed(string sessionId, DateTimeOffset at);

    /// <summary>The car subscribed to its commands through <paramref name="link"/>: commands can reach it now.</summary>
    [Alias("CommandChannelOpened")]
    ValueTask CommandChannelOpened(string sessionId, ICarLink link);

    /// <summary>The car's <c>status</c> document or its Last Will.</summary>
    [Alias("ReportStatus")]
    ValueTask ReportStatus(bool online, DateTimeOffset at);

    [Alias("GetTwin")]
    ValueTask<TwinSnapshot> GetTwin();

    /// <summary>
    /// Storage holds a newer snapshot (<paramref name="storedVersion"/>) than this activation wrote: another
    /// activation moved on. Unless this one is already past it, it drops its state and reloads on the next call.
    /// </summary>
    [Alias("Reload")]
    ValueTask Reload(long storedVersion);

    /// <summary>
    /// Asks the grain to publish its changes on its stream for the next <see cref="VehicleStreams.WatchLease"/>,
    /// and returns what a watcher that last saw <paramref name="lastEventId"/> missed (the current twin if it
    /// changed since, then newer events still buffered), oldest first.
    /// </summary>
    /// <summary>Alerts of this vehicle, newest first.</summary>
    [Alias("GetAlerts")]
    ValueTask<IReadOnlyList<CrashAlert>> GetAlerts(int limit);

    [Alias("AcknowledgeAlert")]
    ValueTask<(AlertChange Change, CrashAlert? Alert)> AcknowledgeAlert(string alertId, string by);

    [Alias("ResolveAlert")]
    ValueTask<(AlertChange Change, CrashAlert? Alert)> ResolveAlert(string alertId, string by);

    /// <summary>Validates, guards by the twin's state, queues and (when the car listens) sends a command.</summary>
    /// <param name="idempotencyKey">A retried request with the same key returns the command of the first one.</param>
    [Alias("SubmitCommand")]
    ValueTask<CommandDecision> SubmitCommand(CommandRequest request, string? idempotencyKey);

    [Alias("GetCommand")]
    ValueTask<VehicleCommand?> GetCommand(Guid id);

    /// <summary>The car's ack on <c>commands/ack</c>.</summary>
    [Alias("AckCommand")]
    ValueTask<AckOutcome> AckCommand(CommandAck ack);

    /// <summary>Plans cabin preconditioning for a departure; replaces any earlier plan.</summary>
    [Alias("SetPreconditioning")]
    ValueTask<PreconditioningPlan> SetPreconditioning(DateTimeOffset departureAt, double targetTemperatureC);

    /// <returns>False when there was no plan.</returns>
    [Alias("CancelPreconditioning")]
    ValueTask<bool> CancelPreconditioning();

    [Alias("Watch")]
    ValueTask<IReadOnlyList<VehicleStreamEvent>> Watch(long? lastEventId);
}
