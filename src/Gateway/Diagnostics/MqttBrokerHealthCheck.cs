using DigitalTwin.Gateway.Mqtt;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DigitalTwin.Gateway.Diagnostics;

internal sealed class MqttBrokerHealthCheck(EmbeddedMqttBroker broker) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(broker.IsRunning
            ? HealthCheckResult.Healthy($"embedded broker listening on {broker.Listeners}")
            : HealthCheckResult.Unhealthy("embedded broker not running"));
}
