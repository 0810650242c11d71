using Confluent.Kafka;
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
    private static readonly byte[] SpecVersion = VehicleRecords.Utf8(VehicleRecords.SpecVersion);
    private static readonly byte[] JsonContentType = VehicleRecords.Utf8(VehicleRecords.JsonContentType);
    private static readonly byte[] TelemetryType = VehicleRecords.Utf8(VehicleRecords.TelemetryType);
    private static readonly byte[] EventType = VehicleRecords.Utf8(VehicleRecords.EventType);
    private static readonly ValueTask<bool> Acknowledge = ValueTask.FromResult(true);

    private readonly KafkaOptions _options = options.Value;
    private readonly byte[] _source = VehicleRecords.Utf8(VehicleRecords.Source);

    public ValueTask<bool> AcceptedAsync(AcceptedMessage message)
    {
        var (topic, type, typeName) = message.Kind switch
        {
            VehicleTopicKind.Telemetry => (_options.Topics.Telemetry, TelemetryType, VehicleRecords.TelemetryType),
            VehicleTopicKind.Events => (_options.Topics.Events, EventType, VehicleRecords.EventType),
            _ => (null, null, null),
        };
        if (topic is null || (message.Duplicate && !_options.DurableIngest))
        {
            return Acknowledge;
        }

        var record = new Message<string, byte[]>
        {
            Key = message.Vin,
            Value = VehicleRecords.WithVin(message.Vin, message.Document),
            Headers = new Headers
            {
                { VehicleRecords.SpecVersionHeader, SpecVersion },
                { VehicleRecords.IdHeader, VehicleRecords.Utf8(VehicleRecords.Id(message.Vin, typeName!, message.Seq)) },
                { VehicleRecords.SourceHeader, _source },
                { VehicleRecords.TypeHeader, type },
                { VehicleRecords.TimeHeader, VehicleRecords.Utf8(VehicleRecords.Time(message.ReceivedAt)) },
                { VehicleRecords.SubjectHeader, VehicleRecords.Utf8(message.Vin) },
                { VehicleRecords.ContentTypeHeader, JsonContentType },
            },
        };

        if (_options.DurableIngest)
        {
            return producer.ProduceAsync(topic, record);
        }

        producer.Produce(topic, record);
        return Acknowledge;
    }
}
