using DigitalTwin.Gateway.Diagnostics;
using DigitalTwin.Grains.Abstractions.Vehicles;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Gateway.Kafka;

/// <summary>
/// The twins' changes as Kafka records: each staged twin to <c>vehicle-twins</c>, each alert change to
/// <c>vehicle-alerts</c>, each command state change to <c>vehicle-commands</c>. Produced asynchronously: the grain's call
/// builds the record and hands it to librdkafka's queue, which never blocks (a full queue is counted as dropped), and
/// delivery is retried and counted by <see cref="VehicleRecordProducer"/>. A grain never waits for Kafka, and nothing
/// that goes wrong here reaches it.
/// </summary>
public sealed partial class KafkaChangeFeed(
    VehicleRecordProducer producer,
    IOptions<KafkaOptions> options,
    GatewayMetrics metrics,
    TimeProvider time,
    ILogger<KafkaChangeFeed> logger) : IVehicleChangeFeed
{
    private readonly KafkaTopics _topics = options.Value.Topics;

    public void Publish(string vin, VehicleStreamEvent change)
    {
        if (VehicleChangeRecords.Topic(change, _topics) is not { } topic)
        {
            return;
        }

        try
        {
            producer.Produce(topic, VehicleChangeRecords.Create(vin, change, time.GetUtcNow()));
        }
        catch (Exception ex)
        {
            // A change that cannot become a record (a producer not built yet, a view that does not serialize) is
            // counted and logged; the twin has applied it either way.
            metrics.KafkaRecord(topic, "failed");
            LogNotProduced(logger, ex, change.Type, vin, topic);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka: the {Kind} change of {Vin} could not be produced to {Topic}")]
    private static partial void LogNotProduced(ILogger logger, Exception exception, string kind, string vin, string topic);
}
