using DigitalTwin.Contract.Kafka;
using DigitalTwin.Contract.Topics;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Gateway.Kafka;

/// <summary>
/// Every accepted telemetry and event document becomes a record of <c>vehicle-telemetry</c> or <c>vehicle-events</c>,
/// key = VIN. With <see cref="KafkaOptions.DurableIngest"/> the PUBACK waits for Kafka's acknowledgement, and a repeat
/// of a document (the car saw no PUBACK) is produced again, since the first record may not have reached Kafka:
/// at least once, with a <c>ce_id</c> that is the same for both so consumers can drop the second.
/// </summary>
public sealed class KafkaIngestRecords(VehicleRecordProducer producer, IOptions<KafkaOptions> options) : IAcceptedMessageSink
{
    private static readonly ValueTask<bool> Acknowledge = ValueTask.FromResult(true);

    private readonly KafkaOptions _options = options.Value;

    public ValueTask<bool> AcceptedAsync(AcceptedMessage message)
    {
        var (topic, type) = message.Kind switch
        {
            VehicleTopicKind.Telemetry => (_options.Topics.Telemetry, VehicleRecords.TelemetryType),
            VehicleTopicKind.Events => (_options.Topics.Events, VehicleRecords.EventType),
            _ => (null, null),
        };
        if (topic is null || (message.Duplicate && !_options.DurableIngest))
        {
            return Acknowledge;
        }

        var record = CloudEventRecord.Create(
            message.Vin,
            VehicleRecords.Id(message.Vin, type!, message.Seq),
            type!,
            message.ReceivedAt,
            VehicleRecords.WithVin(message.Vin, message.Document));

        if (_options.DurableIngest)
        {
            return producer.ProduceAsync(topic, record);
        }

        producer.Produce(topic, record);
        return Acknowledge;
    }
}
