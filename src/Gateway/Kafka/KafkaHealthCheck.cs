using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DigitalTwin.Gateway.Kafka;

/// <summary>
/// <c>kafka</c> in <c>/readyz</c>: degraded, with librdkafka's reason, while the producer's latest news is an error
/// rather than a delivery; healthy again by itself once a record gets through.
/// </summary>
public sealed class KafkaHealthCheck(VehicleRecordProducer producer) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(producer.Problem is { } problem
            ? HealthCheckResult.Degraded($"Kafka unreachable since {problem.Since:O}: {problem.Reason}")
            : HealthCheckResult.Healthy("Kafka delivers"));
}
