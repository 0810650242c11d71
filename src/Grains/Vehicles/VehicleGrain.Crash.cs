using DigitalTwin.Contract.Events;
using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Crash;
using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Grains.Alerts;
using DigitalTwin.Grains.Crash;
using Microsoft.Extensions.Logging;

namespace DigitalTwin.Grains.Vehicles;

/// <summary>Crash detection and emergency response: alerts are stored before anyone hears of them.</summary>
public sealed partial class VehicleGrain
{
    private CrashDetector _crash = null!;

    private async ValueTask PrimeCrashDetectionAsync(CancellationToken cancellationToken)
    {
        // The alert store is written before anyone is told, the snapshot only later: after a crash of the silo
        // the store may know an alert the snapshot does not, and it must not be raised a second time.
        var latest = (await alerts.ListAsync(_state.Vin, 1, cancellationToken)).FirstOrDefault();
        if (latest is not null && (_state.Crash is null || latest.UpdatedAt > _state.Crash.UpdatedAt))
        {
            _state.SetCrash(latest);
        }

        _crash = new CrashDetector(crashOptions.Value);
        _crash.Prime(_state.ToSnapshot(), _state.Crash?.Incident);
    }

    /// <summary>Feeds an applied document to the detector; what it decides is acted on after the twin changed.</summary>
    private CrashDecision ObserveCrash(TelemetryMessage message) => _crash.Observe(message);

    private CrashDecision ObserveCrash(VehicleEvent vehicleEvent) => _crash.Observe(vehicleEvent);

    public ValueTask<(AlertChange Change, CrashAlert? Alert)> ResolveAlert(string alertId, string by) =>
        ChangeAlertAsync(alertId, a => AlertLifecycle.Resolve(a, by, time.GetUtcNow()));

    public ValueTask<(AlertChange Change, CrashAlert? Alert)> AcknowledgeAlert(string alertId, string by) =>
        ChangeAlertAsync(alertId, a => AlertLifecycle.Acknowledge(a, by, time.GetUtcNow()));

    public ValueTask<IReadOnlyList<CrashAlert>> GetAlerts(int limit) => alerts.ListAsync(_state.Vin, limit, CancellationToken.None);

    private async ValueTask OnCrashDecisionAsync(CrashDecision decision)
    {
        if (decision.Outcome is not (CrashOutcome.Raised or CrashOutcome.Updated) || decision.Incident is null)
        {
            return;
        }

        var now = time.GetUtcNow();
        var fresh = CrashAlert.For(_state.Vin, decision.Incident);
        var alert = _state.Crash is { } current && current.Id == fresh.Id
            ? AlertLifecycle.Update(current, decision.Incident, now)
            : fresh with { RaisedAt = now, UpdatedAt = now };

        // Durable first: only a stored alert is published, pushed to apps and acknowledged to the car.
        await alerts.SaveAsync(alert, CancellationToken.None);
        await PublishAlertAsync(alert);
        LogCrash(logger, _state.Vin, alert.Id, alert.Incident.Severity, alert.Incident.Trigger, decision.Outcome);

        if (decision.Outcome == CrashOutcome.Raised)
        {
            await SendToCarAsync(EmergencyAck.For(alert, now));
            ReportCrashToRoad(alert);
        }
    }

    private async ValueTask<(AlertChange Change, CrashAlert? Alert)> ChangeAlertAsync(string alertId, Func<CrashAlert, (AlertChange, CrashAlert)> change)
    {
        var alert = string.Equals(_state.Crash?.Id, alertId, StringComparison.Ordinal)
            ? _state.Crash
            : await alerts.GetAsync(_state.Vin, alertId, CancellationToken.None);
        if (alert is null)
        {
            return (AlertChange.NotFound, null);
        }

        var (outcome, changed) = change(alert);
        if (outcome != AlertChange.Changed)
        {
            return (outcome, changed);
        }

        await alerts.SaveAsync(changed, CancellationToken.None);
        await PublishAlertAsync(changed);

        return (outcome, changed);
    }

    private async ValueTask PublishAlertAsync(CrashAlert alert)
    {
        if (_state.Crash is null || _state.Crash.Id == alert.Id || alert.Incident.OccurredAt >= _state.Crash.Incident.OccurredAt)
        {
            _state.SetCrash(alert);
        }

        await ChangedAsync();

        // The alert event gets an id of its own after the twin that shows it, so ids only grow and a client
        // resuming from either one misses nothing.
        await PublishEventAsync(new AlertChanged(_state.Bump(), alert));

        await PublishAsync(
            this.GetStreamProvider(VehicleStreams.ProviderName).GetStream<CrashAlert>(StreamId.Create(AlertStreams.Namespace, AlertStreams.FleetKey)),
            alert);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Crash alert {AlertId} of {Vin}: {Severity} by {Trigger} ({Outcome})")]
    private static partial void LogCrash(ILogger logger, string vin, string alertId, CrashSeverity severity, CrashTrigger trigger, CrashOutcome outcome);
}
