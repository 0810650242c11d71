using Confluent.Kafka;

namespace DigitalTwin.Gateway.Kafka;

/// <summary>Turns <see cref="KafkaOptions"/> into librdkafka client settings: the typed keys first, then the pass-through ones.</summary>
public static class KafkaClientConfigs
{
    /// <summary>
    /// The one producer of a silo: idempotent with <c>acks=all</c> (no duplicates from its own retries, nothing
    /// acknowledged that a single broker's loss can take back), LZ4, and a short linger so that records of many cars
    /// go out in one request.
    /// </summary>
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
