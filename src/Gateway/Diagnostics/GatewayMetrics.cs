using System.Diagnostics.Metrics;

namespace DigitalTwin.Gateway.Diagnostics;

/// <summary>The gateway's instruments; exported by whatever metrics pipeline the host wires up.</summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "DigitalTwin.Gateway";

    private readonly Counter<long> _messages;
    private readonly Counter<long> _rejections;
    private readonly Counter<long> _connections;
    private readonly Counter<long> _acceptFailures;
    private readonly Counter<long> _bans;
    private readonly Meter _meter;
    private readonly Histogram<double> _ingestDuration;
    private readonly Counter<long> _kafkaRecords;
    private readonly Histogram<double> _kafkaProduceDuration;

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        var meter = _meter = meterFactory.Create(MeterName);
        _messages = meter.CreateCounter<long>("digitaltwin.mqtt.messages", "{message}", "MQTT messages by topic kind and outcome");
        _rejections = meter.CreateCounter<long>("digitaltwin.mqtt.rejections", "{message}", "Refused messages and signals by reason");
        _connections = meter.CreateCounter<long>("digitaltwin.mqtt.connections", "{connection}",
            "Connections by result: accepted, refused by authentication (one result per reason), quota_exceeded, banned, rate_limited, connect_timeout");
        _acceptFailures = meter.CreateCounter<long>("digitaltwin.mqtt.accept.failures", "{failure}", "Failed accepts on the MQTT listener by error; the listener backs off and goes on");
        _bans = meter.CreateCounter<long>("digitaltwin.mqtt.flapping.bans", "{ban}", "Client ids banned for flapping (Mqtt:Flapping)");
        _ingestDuration = meter.CreateHistogram<double>("digitaltwin.ingest.duration", "ms", "From the broker receiving a publish to the twin having applied it");
        _kafkaRecords = meter.CreateCounter<long>("digitaltwin.kafka.records", "{record}", "Kafka records by topic and outcome: delivered, failed (after librdkafka's retries) or dropped (its queue was full)");
        _kafkaProduceDuration = meter.CreateHistogram<double>("digitaltwin.kafka.produce.duration", "ms", "From handing a record to the producer to Kafka acknowledging it (acks=all)");
    }

    public void Message(string topicKind, string outcome) =>
        _messages.Add(1, new KeyValuePair<string, object?>("topic", topicKind), new KeyValuePair<string, object?>("outcome", outcome));

    public void Rejected(string reason) => _rejections.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Connection(string result) => _connections.Add(1, new KeyValuePair<string, object?>("result", result));

    public void AcceptFailure(string error) => _acceptFailures.Add(1, new KeyValuePair<string, object?>("error", error));

    public void Ban() => _bans.Add(1);

    /// <summary>Gauges of the connection budget, read from the guard whenever metrics are collected.</summary>
    public void ObserveConnections(Func<int> sessions, Func<int> sockets, Func<int> capacity)
    {
        _meter.CreateObservableGauge("digitaltwin.mqtt.sessions", sessions, "{session}", "MQTT connections past CONNECT (counted against Mqtt:MaxConnections)");
        _meter.CreateObservableGauge("digitaltwin.mqtt.sockets", sockets, "{socket}", "MQTT sockets open, CONNECT or not");
        _meter.CreateObservableGauge("digitaltwin.mqtt.capacity", capacity, "{session}", "Mqtt:MaxConnections in force (derived from the open-files limit unless set)");
    }

    public void IngestDuration(double milliseconds, string topicKind) =>
        _ingestDuration.Record(milliseconds, new KeyValuePair<string, object?>("topic", topicKind));

    public void KafkaRecord(string topic, string outcome, long count = 1) =>
        _kafkaRecords.Add(count, new KeyValuePair<string, object?>("topic", topic), new KeyValuePair<string, object?>("outcome", outcome));

    public void KafkaProduceDuration(double milliseconds, string topic) =>
        _kafkaProduceDuration.Record(milliseconds, new KeyValuePair<string, object?>("topic", topic));
}
