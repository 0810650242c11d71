namespace DigitalTwin.Gateway.Kafka;

/// <summary>
/// The <c>Kafka</c> section (contract, section 5). Kafka is off while <see cref="BootstrapServers"/> is empty. Any
/// other librdkafka property passes through as <c>Kafka:Producer:&lt;property&gt;</c> or <c>Kafka:Consumer:&lt;property&gt;</c>.
/// </summary>
public sealed class KafkaOptions
{
    public const string SectionName = "Kafka";

    /// <summary><c>host:port</c>, comma-separated; empty = Kafka off.</summary>
    public string? BootstrapServers { get; set; }

    public KafkaSecurityProtocol SecurityProtocol { get; set; } = KafkaSecurityProtocol.Plaintext;

    public KafkaSaslMechanism? SaslMechanism { get; set; }

    public string? SaslUsername { get; set; }

    public string? SaslPassword { get; set; }

    /// <summary>PEM file of the CAs that sign the brokers' certificates; empty = the system's.</summary>
    public string? SslCaLocation { get; set; }

    /// <summary>
    /// A car's QoS 1 PUBACK waits until Kafka has acknowledged the <c>vehicle-telemetry</c> or <c>vehicle-events</c>
    /// record of the message: once the car has its PUBACK, the message is in Kafka. Off: records are produced after
    /// the PUBACK, retried by the client, and counted when they are dropped.
    /// </summary>
    public bool DurableIngest { get; set; }

    /// <summary>
    /// How long librdkafka keeps trying to deliver a record (<c>message.timeout.ms</c>). In durable mode this is how
    /// long a PUBACK is withheld while Kafka is unreachable before the car is told to send again.
    /// </summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Records waiting in the producer for Kafka (<c>queue.buffering.max.messages</c>); beyond it an asynchronous
    /// record is dropped and counted, and a durable one is refused so that the car sends it again.
    /// </summary>
    public int MaxQueuedRecords { get; set; } = 100_000;

    public KafkaTopics Topics { get; set; } = new();

    public KafkaIngestOptions Ingest { get; set; } = new();

    /// <summary>librdkafka producer properties, passed through as they are (e.g. <c>Kafka:Producer:linger.ms</c>).</summary>
    public Dictionary<string, string> Producer { get; set; } = [];

    /// <summary>librdkafka consumer properties, passed through as they are.</summary>
    public Dictionary<string, string> Consumer { get; set; } = [];

    public bool Enabled => !string.IsNullOrWhiteSpace(BootstrapServers);
}

/// <summary>Topic names, <c>Kafka:Topics:&lt;Name&gt;</c>; the defaults are the contract's.</summary>
public sealed class KafkaTopics
{
    public string Telemetry { get; set; } = "vehicle-telemetry";
    public string Events { get; set; } = "vehicle-events";
    public string Twins { get; set; } = "vehicle-twins";
    public string Alerts { get; set; } = "vehicle-alerts";
    public string Commands { get; set; } = "vehicle-commands";
    public string Trips { get; set; } = "vehicle-trips";
    public string DeadLetter { get; set; } = "vehicle-dead-letter";

    public IEnumerable<(string Key, string Name)> All =>
    [
        (nameof(Telemetry), Telemetry), (nameof(Events), Events), (nameof(Twins), Twins), (nameof(Alerts), Alerts),
        (nameof(Commands), Commands), (nameof(Trips), Trips), (nameof(DeadLetter), DeadLetter),
    ];
}

/// <summary>
/// <c>Kafka:Ingest:*</c>: the consumer group that feeds the twins from Kafka (contract, section 5, "In"). It runs on
/// every silo while Kafka is on and <see cref="Topics"/> names at least one topic.
/// </summary>
public sealed class KafkaIngestOptions
{
    /// <summary>Comma-separated; empty = no ingest from Kafka.</summary>
    public string? Topics { get; set; } = "vehicle-telemetry-in,vehicle-events-in";

    /// <summary>The consumer group all silos share, so that they split the partitions.</summary>
    public string GroupId { get; set; } = "digitaltwin-ingest";

    /// <summary>
    /// How often each partition's applied records are made durable (their twins flushed) and their offsets committed:
    /// what a restarted silo reads again at most, absorbed by the seq rule.
    /// </summary>
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Cars applied concurrently by one silo; one car's records are always applied one after another, in order.</summary>
    public int Lanes { get; set; } = 64;

    /// <summary>Records read and not yet applied, per silo: beyond it the silo stops reading until the twins catch up.</summary>
    public int MaxInFlight { get; set; } = 10_000;

    /// <summary>
    /// How often a record the twin could not apply (an exception, a silo going away) is tried before it is
    /// dead-lettered with <c>internal_error</c>, so that no record blocks its partition for ever.
    /// </summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>How long a silo giving up partitions (rebalance, shutdown) waits for their records to be applied and committed.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(15);

    public IReadOnlyList<string> TopicList =>
        (Topics ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}

public enum KafkaSecurityProtocol
{
    Plaintext,
    Ssl,
    SaslPlaintext,
    SaslSsl,
}

public enum KafkaSaslMechanism
{
    Plain,
    ScramSha256,
    ScramSha512,
}
