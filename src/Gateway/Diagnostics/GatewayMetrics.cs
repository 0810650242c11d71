using System.Diagnostics.Metrics;

namespace DigitalTwin.Gateway.Diagnostics;

/// <summary>The gateway's instruments; exported by whatever metrics pipeline the host wires up.</summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "DigitalTwin.Gateway";

    private readonly Counter<long> _messages;
    private readonly Counter<long> _rejections;
    private readonly Counter<long> _connections;
    private readonly Histogram<double> _ingestDuration;
    private readonly Counter<long> _kafkaRecords;
    private readonly Histogram<double> _kafkaProduceDuration;

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _messages = meter.CreateCounter<long>("digitaltwin.mqtt.messages", "{message}", "MQTT messages by topic kind and outcome");
        _rejections = meter.CreateCounter<long>("digitaltwin.mqtt.rejections", "{message}", "Refused messages and signals by reason");
        _connections = meter.CreateCounter<long>("digitaltwin.mqtt.connections", "{connection}", "CONNECT attempts by result");
        _ingestDuration = meter.CreateHistogram<double>("digitaltwin.ingest.duration", "ms", "From the broker receiving a publish to the twin having applied it");
        _kafkaRecords = meter.CreateCounter<long>("digitaltwin.kafka.records", "{record}", "Kafka records by topic and outcome: delivered, failed (after librdkafka's retries) or dropped (its queue was full)");
        _kafkaProduceDuration = meter.CreateHistogram<double>("digitaltwin.kafka.produce.duration", "ms", "From handing a record to the producer to Kafka acknowledging it (acks=all)");
    }

    public void Message(string topicKind, string outcome) =>
        _messages.Add(1, new KeyValuePair<string, object?>("topic", topicKind), new KeyValuePair<string, object?>("outcome", outcome));

    public void Rejected(string reason) => _rejections.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Connection(string result) => _connections.Add(1, new KeyValuePair<string, object?>("result", result));

    public void IngestDuration(double milliseconds, string topicKind) =>
        _ingestDuration.Record(milliseconds, new KeyValuePair<string, object?>("topic", topicKind));

    public void KafkaRecord(string topic, string outcome, long count = 1) =>
        _kafkaRecords.Add(count, new KeyValuePair<string, object?>("topic", topic), new KeyValuePair<string, object?>("outcome", outcome));

    public void KafkaProduceDuration(double milliseconds, string topic) =>
        _kafkaProduceDuration.Record(milliseconds, new KeyValuePair<string, object?>("topic", topic));
}
