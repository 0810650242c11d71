using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DigitalTwin.Persistence.Diagnostics;

/// <summary>Readiness contribution of the PostgreSQL layer: healthy, or degraded with the last error.</summary>
public sealed class PersistenceHealthCheck(PersistenceHealth health, PersistenceMetrics metrics) : IHealthCheck
{
    public const string Name = "postgres";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["snapshotsDropped"] = metrics.SnapshotsDropped,
            ["snapshotsRejected"] = metrics.SnapshotsRejected,
            ["historyDropped"] = metrics.HistoryRowsDropped,
            ["historyRejected"] = metrics.HistoryRowsRejected,
        };

        var failing = health.Components.Where(c => !c.Value.IsHealthy).OrderBy(c => c.Key, StringComparer.Ordinal).ToList();
        if (failing.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy("PostgreSQL writes are succeeding", data));
        }

        var description = string.Join(
            "; ",
            failing.Select(c => string.Create(
                CultureInfo.InvariantCulture,
                $"{c.Key}: {c.Value.ConsecutiveFailures} failed attempts, last error: {c.Value.LastError}")));
        return Task.FromResult(HealthCheckResult.Degraded($"PostgreSQL unavailable, buffering in memory ({description})", data: data));
    }
}
