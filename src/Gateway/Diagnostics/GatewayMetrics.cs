using System.Diagnostics.Metrics;

namespace DigitalTwin.Gateway.Diagnostics;

/// <summary>The gateway's instruments; exported by whatever metrics pipeline the host wires up.</summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "DigitalTwin.Gateway";

    /// <summary>Connected cars (MQTT sessions past CONNECT); on /metrics as <c>digitaltwin_mqtt_sessions</c>, what the HPA scales on.</summary>
    public const string SessionsInstrument = "digitaltwin.mqtt.sessions";

    private readonly Counter<long> _messages;
    private readonly Counter<long> _rejections;
    private readonly Counter<long> _connections;
    private readonly Counter<long> _acceptFailures;
    private readonly Counter<long> _bans;
    private readonly Meter _meter;
    private readonly Histogram<double> _ingestDuration;
    private readonly Counter<long> _kafkaRecords;
    private readonly Histogram<double> _kafkaProduceDuration;
    private readonly Counter<long> _kafkaConsumed;
    private readonly Counter<long> _kafkaCommits;
    private readonly Histogram<double> _kafkaCommitLag;
    private readonly Counter<long> _externalConnections;
    private readonly Counter<long> _externalRetries;
    private readonly Counter<long> _externalPublishes;

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
        _kafkaConsumed = meter.CreateCounter<long>("digitaltwin.kafka.consumed", "{record}", "Ingest records by topic and outcome: applied, duplicate, rejected or ignored (dead-lettered), gave_up (dead-lettered after Kafka:Ingest:MaxAttempts), retried");
        _kafkaCommits = meter.CreateCounter<long>("digitaltwin.kafka.commits", "{commit}", "Offset commits of the ingest consumer by outcome: committed, failed, not_durable (twins not flushed yet: tried again), rewound (a twin lost what it applied: read again)");
        _externalConnections = meter.CreateCounter<long>("digitaltwin.mqtt.external.connections", "{connection}",
            "Connections to the external broker (Mqtt:Mode=External) by result: connected, refused, failed, lost, redelivery (the gateway reconnected so that the broker delivers again what the twins could not apply)");
        _externalRetries = meter.CreateCounter<long>("digitaltwin.mqtt.external.retries", "{retry}", "Messages from the external broker tried again because their twin could not apply them (Mqtt:External:RetryFor)");
        _externalPublishes = meter.CreateCounter<long>("digitaltwin.mqtt.external.publishes", "{message}", "Cloud-to-car messages published to the external broker by outcome: published, refused");
        _kafkaCommitLag = meter.CreateHistogram<double>("digitaltwin.kafka.commit.lag", "ms", "From reading the oldest record a commit covers to committing its offset");
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
        _meter.CreateObservableGauge(SessionsInstrument, sessions, "{session}", "MQTT connections past CONNECT (counted against Mqtt:MaxConnections)");
        _meter.CreateObservableGauge("digitaltwin.mqtt.sockets", sockets, "{socket}", "MQTT sockets open, CONNECT or not");
        _meter.CreateObservableGauge("digitaltwin.mqtt.capacity", capacity, "{session}", "Mqtt:MaxConnections in force (derived from the open-files limit unless set)");
    }

    /// <summary>Whether the gateway is connected to the external broker (1) or not (0), read when metrics are collected.</summary>
    public void ObserveExternalBroker(Func<int> connected) =>
        _meter.CreateObservableGauge("digitaltwin.mqtt.external.connected", connected, "{connection}", "1 while the gateway is connected and subscribed to the external broker, 0 otherwise");

    public void ExternalConnection(string result) => _externalConnections.Add(1, new KeyValuePair<string, object?>("result", result));

    public void ExternalRetry() => _externalRetries.Add(1);

    public void ExternalPublish(string outcome) => _externalPublishes.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void IngestDuration(double milliseconds, string topicKind) =>
        _ingestDuration.Record(milliseconds, new KeyValuePair<string, object?>("topic", topicKind));

    public void KafkaRecord(string topic, string outcome, long count = 1) =>
        _kafkaRecords.Add(count, new KeyValuePair<string, object?>("topic", topic), new KeyValuePair<string, object?>("outcome", outcome));

    public void KafkaProduceDuration(double milliseconds, string topic) =>
        _kafkaProduceDuration.Record(milliseconds, new KeyValuePair<string, object?>("topic", topic));

    public void KafkaConsumed(string topic, string outcome) =>
        _kafkaConsumed.Add(1, new KeyValuePair<string, object?>("topic", topic), new KeyValuePair<string, object?>("outcome", outcome));

    public void KafkaCommit(string outcome) => _kafkaCommits.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void KafkaCommitLag(double milliseconds) => _kafkaCommitLag.Record(milliseconds);

    /// <summary>The ingest consumer's lag per assigned partition (tags topic and partition), read when metrics are collected.</summary>
    public void ObserveConsumerLag(Func<IEnumerable<Measurement<long>>> observe) =>
        _meter.CreateObservableGauge("digitaltwin.kafka.consumer.lag", observe, "{record}", "Records between each assigned ingest partition's high watermark and its committed offset");

    /// <summary>How many partitions of each ingest topic this silo's consumer holds (tag topic), read when metrics are collected.</summary>
    public void ObserveConsumerAssignment(Func<IEnumerable<Measurement<int>>> observe) =>
        _meter.CreateObservableGauge("digitaltwin.kafka.consumer.assigned", observe, "{partition}", "Ingest partitions assigned to this silo's consumer, by topic");
}
