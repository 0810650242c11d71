using DigitalTwin.Grains.Abstractions.Crash;

namespace DigitalTwin.Grains.Alerts;

/// <summary>Open -> acknowledged -> resolved, and open -> resolved; repeating a step changes nothing.</summary>
public static class AlertLifecycle
{
    public static (AlertChange Change, CrashAlert Alert) Acknowledge(CrashAlert alert, string by, DateTimeOffset now) => alert.Status switch
    {
        AlertStatus.Open => (AlertChange.Changed, alert with { Status = AlertStatus.Acknowledged, AcknowledgedBy = by, AcknowledgedAt = now, UpdatedAt = now }),
        AlertStatus.Acknowledged => (AlertChange.Unchanged, alert),
        _ => (AlertChange.Conflict, alert),
    };

    public static (AlertChange Change, CrashAlert Alert) Resolve(CrashAlert alert, string by, DateTimeOffset now) => alert.Status switch
    {
        AlertStatus.Resolved => (AlertChange.Unchanged, alert),
        _ => (AlertChange.Changed, alert with { Status = AlertStatus.Resolved, ResolvedBy = by, ResolvedAt = now, UpdatedAt = now }),
    };

    /// <summary>A later trigger of the same incident refreshes its data and keeps its status and history.</summary>
    public static CrashAlert Update(CrashAlert alert, CrashIncident incident, DateTimeOffset now) =>
        alert with { Incident = incident, UpdatedAt = now };
}
