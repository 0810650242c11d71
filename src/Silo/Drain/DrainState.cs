using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DigitalTwin.Silo.Drain;

/// <summary>Whether the silo is draining; the <c>drain</c> readiness check reads it, so <c>/readyz</c> turns 503 first.</summary>
public sealed class DrainState : IHealthCheck
{
    private volatile bool _draining;

    public bool IsDraining => _draining;

    public void Begin() => _draining = true;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_draining
            ? HealthCheckResult.Unhealthy("draining: the silo is stopping and sends its cars elsewhere")
            : HealthCheckResult.Healthy("not draining"));
}
