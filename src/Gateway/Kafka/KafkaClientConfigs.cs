using Confluent.Kafka;

namespace DigitalTwin.Gateway.Kafka;

/// <summary>Turns <see cref="KafkaOptions"/> into librdkafka client settings: the typed keys first, then the pass-through ones.</summary>
public static class KafkaClientConfigs
{
    /// <summary>
    /// The one producer of a silo: idempotent with <c>acks=all</c> (no duplicates from its own retries, nothing
    /// acknowledged that a single broker's loss can take back), LZ4 and <c>linger.ms=5</c>.
    /// </summary>
    /// <remarks>
    /// Batching chosen by measurement (docs/benchmarks.md, "Kafka producer batching": 2 KB vehicle-twins records
    /// against the mock cluster). LZ4 shrinks them about six times on the wire (twin records repeat their signal names)
    /// and produced them faster than no compression, at about the same CPU; zstd shrinks them twice more again, but
    /// at a quarter to two thirds of LZ4's rate and 1.4-2 times its CPU per record. At a fleet's steady rate (2,000
    /// records/s) a 5 ms linger packs the records of many cars into one compressed batch: 561 bytes a record instead of
    /// 965 with no linger, for ~5 ms more latency. 20 ms saved another quarter of the bytes but added 12-23 ms to every
    /// alert and command record too, which share this producer. Either can be overridden per deployment
    /// (<c>Kafka:Producer:linger.ms</c>, <c>Kafka:Producer:compression.type</c>).
    /// </remarks>
    public static ProducerConfig Producer(KafkaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new ProducerConfig
        {
            EnableIdempotence = true,
            Acks = Acks.All,
            CompressionType = CompressionType.Lz4,
            LingerMs = 5,
            MessageTimeoutMs = (int)options.DeliveryTimeout.TotalMilliseconds,
            QueueBufferingMaxMessages = options.MaxQueuedRecords,
        };
        Apply(config, options, options.Producer);
        return config;
    }

    /// <summary>
    /// The ingest consumer of a silo: one group across all silos with cooperative-sticky assignment (a rebalance moves
    /// only the partitions that change owner, and the others keep flowing); offsets stored and committed by the
    /// consumer itself, only once what they cover is durable; a new group starts at the earliest record so that nothing
    /// written before the first silo started is skipped.
    /// </summary>
    public static ConsumerConfig Consumer(KafkaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new ConsumerConfig
        {
            GroupId = options.Ingest.GroupId,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
            EnablePartitionEof = false,
        };
        Apply(config, options, options.Consumer);
        return config;
    }

    private static void Apply(ClientConfig config, KafkaOptions options, Dictionary<string, string> passThrough)
    {
        config.BootstrapServers = options.BootstrapServers;
        config.SecurityProtocol = options.SecurityProtocol switch
        {
            KafkaSecurityProtocol.Ssl => SecurityProtocol.Ssl,
            KafkaSecurityProtocol.SaslPlaintext => SecurityProtocol.SaslPlaintext,
            KafkaSecurityProtocol.SaslSsl => SecurityProtocol.SaslSsl,
            _ => SecurityProtocol.Plaintext,
        };
        if (options.SaslMechanism is { } mechanism)
        {
            config.SaslMechanism = mechanism switch
            {
                KafkaSaslMechanism.ScramSha256 => SaslMechanism.ScramSha256,
                KafkaSaslMechanism.ScramSha512 => SaslMechanism.ScramSha512,
                _ => SaslMechanism.Plain,
            };
            config.SaslUsername = options.SaslUsername;
            config.SaslPassword = options.SaslPassword;
        }

        if (!string.IsNullOrEmpty(options.SslCaLocation))
        {
            config.SslCaLocation = options.SslCaLocation;
        }

        foreach (var (key, value) in passThrough)
        {
            config.Set(key, value);
        }
    }
}
