using System.Globalization;
using DigitalTwin.Gateway.Mqtt.External;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DigitalTwin.Gateway.Diagnostics;

/// <summary>
/// The external broker's connection. Degraded, not unhealthy, while it is down: the API still serves twins and takes
/// commands, and taking the silo out of its service would not bring the broker back; the gateway reconnects by itself.
/// </summary>
internal sealed class ExternalBrokerHealthCheck(ExternalMqttGateway gateway) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var (connected, state, since) = gateway.Status;
        var description = string.Create(CultureInfo.InvariantCulture, $"external broker {gateway.Broker}: {state} (since {since:O})");
        return Task.FromResult(connected
            ? HealthCheckResult.Healthy($"{description}; subscribed to {string.Join(", ", gateway.Filters)}")
            : HealthCheckResult.Degraded(description));
    }
}
