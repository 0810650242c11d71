using Confluent.Kafka;
using DigitalTwin.Gateway.Kafka;

namespace DigitalTwin.Gateway.Tests.Kafka;

public sealed class KafkaOptionsTests
{
    private static KafkaOptions On(Action<KafkaOptions>? change = null)
    {
        var options = new KafkaOptions { BootstrapServers = "127.0.0.1:9092,broker-2.example:9093" };
        change?.Invoke(options);
        return options;
    }

    private static string Failure(KafkaOptions options)
    {
        var result = new KafkaOptionsValidator().Validate(null, options);
        Assert.True(result.Failed, "the options were accepted");
        return result.FailureMessage;
    }

    [Fact]
    public void Kafka_is_off_and_nothing_is_checked_while_no_bootstrap_servers_are_set()
    {
        var options = new KafkaOptions { SecurityProtocol = KafkaSecurityProtocol.SaslSsl };

        Assert.False(options.Enabled);
        Assert.True(new KafkaOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Plain_settings_with_the_contracts_topic_names_are_accepted()
    {
        Assert.True(new KafkaOptionsValidator().Validate(null, On()).Succeeded);
        Assert.Equal("vehicle-telemetry", On().Topics.Telemetry);
        Assert.Equal("vehicle-dead-letter", On().Topics.DeadLetter);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("localhost:port")]
    [InlineData("localhost:70000")]
    [InlineData("127.0.0.1:9092,")]
    public void A_bootstrap_server_without_a_port_is_refused_by_its_key(string servers)
    {
        Assert.Contains("Kafka:BootstrapServers must be host:port", Failure(On(o => o.BootstrapServers = servers)));
    }

    [Fact]
    public void Sasl_without_a_mechanism_or_credentials_is_refused_by_its_keys()
    {
        var message = Failure(On(o => o.SecurityProtocol = KafkaSecurityProtocol.SaslSsl));

        Assert.Contains("Kafka:SaslMechanism must be set", message);
        Assert.Contains("Kafka:SaslUsername and Kafka:SaslPassword must be set", message);
    }

    [Fact]
    public void Sasl_credentials_over_plaintext_are_refused_rather_than_ignored()
    {
        Assert.Contains(
            "need Kafka:SecurityProtocol SaslPlaintext or SaslSsl",
            Failure(On(o => { o.SaslUsername = "u"; o.SaslPassword = "p"; o.SaslMechanism = KafkaSaslMechanism.Plain; })));
    }

    [Fact]
    public void A_ca_file_needs_tls_and_must_exist()
    {
        Assert.Contains("Kafka:SslCaLocation needs Kafka:SecurityProtocol Ssl or SaslSsl", Failure(On(o => o.SslCaLocation = "/etc/hosts")));
        Assert.Contains("does not exist", Failure(On(o => { o.SecurityProtocol = KafkaSecurityProtocol.Ssl; o.SslCaLocation = "/nonexistent/ca.pem"; })));
    }

    [Theory]
    [InlineData("")]
    [InlineData("vehicle telemetry")]
    [InlineData("vehicle/telemetry")]
    [InlineData("..")]
    public void A_topic_name_kafka_would_refuse_is_refused_at_start_up(string topic)
    {
        Assert.Contains("Kafka:Topics:Telemetry must be", Failure(On(o => o.Topics.Telemetry = topic)));
    }

    [Fact]
    public void Delivery_timeout_and_queue_bound_are_bounded()
    {
        Assert.Contains("Kafka:DeliveryTimeout", Failure(On(o => o.DeliveryTimeout = TimeSpan.Zero)));
        Assert.Contains("Kafka:MaxQueuedRecords", Failure(On(o => o.MaxQueuedRecords = 0)));
    }

    [Fact]
    public void Security_settings_and_pass_through_properties_reach_the_producer_configuration()
    {
        var ca = Path.GetTempFileName();
        try
        {
            var config = KafkaClientConfigs.Producer(On(o =>
            {
                o.SecurityProtocol = KafkaSecurityProtocol.SaslSsl;
                o.SaslMechanism = KafkaSaslMechanism.ScramSha512;
                o.SaslUsername = "fleet";
                o.SaslPassword = "secret";
                o.SslCaLocation = ca;
                o.DeliveryTimeout = TimeSpan.FromSeconds(12);
                o.Producer["linger.ms"] = "20";
                o.Producer["client.id"] = "silo-1";
            }));

            Assert.Equal("127.0.0.1:9092,broker-2.example:9093", config.BootstrapServers);
            Assert.Equal(SecurityProtocol.SaslSsl, config.SecurityProtocol);
            Assert.Equal(SaslMechanism.ScramSha512, config.SaslMechanism);
            Assert.Equal("fleet", config.SaslUsername);
            Assert.Equal("secret", config.SaslPassword);
            Assert.Equal(ca, config.SslCaLocation);
            Assert.True(config.EnableIdempotence);
            Assert.Equal(Acks.All, config.Acks);
            Assert.Equal(12_000, config.MessageTimeoutMs);
            Assert.Equal(20, config.LingerMs);
            Assert.Equal("silo-1", config.ClientId);
        }
        finally
        {
            File.Delete(ca);
        }
    }

    [Fact]
    public void The_ingest_consumer_shares_security_settings_commits_itself_and_rebalances_cooperatively()
    {
        var config = KafkaClientConfigs.Consumer(On(o =>
        {
            o.SecurityProtocol = KafkaSecurityProtocol.SaslPlaintext;
            o.SaslMechanism = KafkaSaslMechanism.ScramSha256;
            o.SaslUsername = "fleet";
            o.SaslPassword = "secret";
            o.Ingest.GroupId = "twins";
            o.Consumer["session.timeout.ms"] = "6000";
        }));

        Assert.Equal("127.0.0.1:9092,broker-2.example:9093", config.BootstrapServers);
        Assert.Equal(SecurityProtocol.SaslPlaintext, config.SecurityProtocol);
        Assert.Equal(SaslMechanism.ScramSha256, config.SaslMechanism);
        Assert.Equal("fleet", config.SaslUsername);
        Assert.Equal("twins", config.GroupId);
        Assert.False(config.EnableAutoCommit);
        Assert.False(config.EnableAutoOffsetStore);
        Assert.Equal(AutoOffsetReset.Earliest, config.AutoOffsetReset);
        Assert.Equal(PartitionAssignmentStrategy.CooperativeSticky, config.PartitionAssignmentStrategy);
        Assert.Equal(6000, config.SessionTimeoutMs);
    }

    [Fact]
    public void Ingest_reads_the_contracts_topics_by_default_and_none_when_set_empty()
    {
        Assert.Equal(["vehicle-telemetry-in", "vehicle-events-in"], On().Ingest.TopicList);
        Assert.Empty(On(o => o.Ingest.Topics = " ").Ingest.TopicList);
        Assert.Equal(["a", "b"], On(o => o.Ingest.Topics = " a, ,b ").Ingest.TopicList);
    }

    [Fact]
    public void An_ingest_topic_the_silos_produce_to_is_refused_because_its_records_would_be_applied_again()
    {
        Assert.Contains("Kafka:Ingest:Topics must not include 'vehicle-telemetry'", Failure(On(o => o.Ingest.Topics = "vehicle-telemetry-in,vehicle-telemetry")));
    }

    [Fact]
    public void Ingest_settings_out_of_range_are_refused_by_their_keys()
    {
        Assert.Contains("Kafka:Ingest:Topics must be", Failure(On(o => o.Ingest.Topics = "in/telemetry")));
        Assert.Contains("Kafka:Ingest:GroupId", Failure(On(o => o.Ingest.GroupId = " ")));
        Assert.Contains("Kafka:Ingest:CommitInterval", Failure(On(o => o.Ingest.CommitInterval = TimeSpan.Zero)));
        Assert.Contains("Kafka:Ingest:Lanes", Failure(On(o => o.Ingest.Lanes = 0)));
        Assert.Contains("Kafka:Ingest:MaxInFlight", Failure(On(o => o.Ingest.MaxInFlight = 10)));
        Assert.Contains("Kafka:Ingest:MaxAttempts", Failure(On(o => o.Ingest.MaxAttempts = 0)));
        Assert.Contains("Kafka:Ingest:DrainTimeout", Failure(On(o => o.Ingest.DrainTimeout = TimeSpan.FromHours(1))));
    }
}
