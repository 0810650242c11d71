using System.Buffers;
using DigitalTwin.Contract.Kafka;
using DigitalTwin.Contract.Topics;
using DigitalTwin.Gateway.DeadLetters;
using DigitalTwin.Gateway.Kafka.Ingest;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Gateway.Kafka;

/// <summary>
/// Refused input to <c>vehicle-dead-letter</c>, with the reason and the original bytes, keyed by the VIN its topic
/// names (or the client id, a Kafka record's key, when the topic names none). Produced asynchronously: refusing input never waits for Kafka.
/// </summary>
public sealed class KafkaDeadLetters(VehicleRecordProducer producer, IOptions<KafkaOptions> options) : IDeadLetterSink
{
    private const string UnknownKey = "unknown";

    private readonly string _topic = options.Value.Topics.DeadLetter;

    private static string Source(DeadLetter letter) =>
        letter.Topic?.StartsWith(VehicleRecordConsumer.SourcePrefix, StringComparison.Ordinal) == true ? "kafka" : "mqtt";

    public void Refused(DeadLetter letter, ReadOnlySequence<byte> payload)
    {
        var parsed = VehicleTopic.Parse(letter.Topic);
        var key = parsed.IsSuccess ? parsed.Value.Vin : letter.ClientId ?? UnknownKey;
        producer.Produce(_topic, CloudEventRecord.Create(
            key,
            Guid.NewGuid().ToString(),
            VehicleRecords.DeadLetterType,
            letter.At,
            VehicleRecords.DeadLetter(letter.At, Source(letter), letter.ClientId, letter.Topic, letter.Reason, letter.Detail, payload)));
    }
}
