using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DigitalTwin.Silo;

/// <summary>Ready when this silo is an active member of its cluster.</summary>
internal sealed class OrleansHealthCheck(IClusterMembershipService membership, ILocalSiloDetails silo) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var snapshot = membership.CurrentSnapshot;
        var active = snapshot.Members.Values.Count(m => m.Status == SiloStatus.Active);
        var self = snapshot.GetSiloStatus(silo.SiloAddress);
        return Task.FromResult(self == SiloStatus.Active
            ? HealthCheckResult.Healthy($"silo active; {active} active silo(s) in the cluster")
            : HealthCheckResult.Unhealthy($"silo is {self}"));
    }
}
