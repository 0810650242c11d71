using System.Buffers;
using Confluent.Kafka;
using DigitalTwin.Contract.Kafka;
using DigitalTwin.Contract.Topics;
using DigitalTwin.Gateway.DeadLetters;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Gateway.Kafka;

/// <summary>
/// Refused input to <c>vehicle-dead-letter</c>, with the reason and the original bytes, keyed by the VIN its topic
/// names (or the client id when the topic names none). Produced asynchronously: refusing input never waits for Kafka.
/// </summary>
public sealed class KafkaDeadLetters(VehicleRecordProducer producer, IOptions<KafkaOptions> options) : IDeadLetterSink
{
    private const string UnknownKey = "unknown";

    private static readonly byte[] SpecVersion = VehicleRecords.Utf8(VehicleRecords.SpecVersion);
    private static readonly byte[] JsonContentType = VehicleRecords.Utf8(VehicleRecords.JsonContentType);
    private static readonly byte[] DeadLetterType = VehicleRecords.Utf8(VehicleRecords.DeadLetterType);

    private readonly string _topic = options.Value.Topics.DeadLetter;
    private readonly string _source = VehicleRecords.Source;

    public void Refused(DeadLetter letter, ReadOnlySequence<byte> payload)
    {
        var parsed = VehicleTopic.Parse(letter.Topic);
        var key = parsed.IsSuccess ? parsed.Value.Vin : letter.ClientId ?? UnknownKey;
        producer.Produce(_topic, new Message<string, byte[]>
        {
            Key = key,
            Value = VehicleRecords.DeadLetter(letter.At, "mqtt", letter.ClientId, letter.Topic, letter.Reason, letter.Detail, payload),
            Headers = new Headers
            {
                { VehicleRecords.SpecVersionHeader, SpecVersion },
                { VehicleRecords.IdHeader, VehicleRecords.Utf8(Guid.NewGuid().ToString()) },
                { VehicleRecords.SourceHeader, VehicleRecords.Utf8(_source) },
                { VehicleRecords.TypeHeader, DeadLetterType },
                { VehicleRecords.TimeHeader, VehicleRecords.Utf8(VehicleRecords.Time(letter.At)) },
                { VehicleRecords.SubjectHeader, VehicleRecords.Utf8(key) },
                { VehicleRecords.ContentTypeHeader, JsonContentType },
            },
        });
    }
}
