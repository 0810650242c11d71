using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using DigitalTwin.Testing;

namespace DigitalTwin.Gateway.Tests.Kafka;

/// <summary>
/// The Kafka test infrastructure itself: librdkafka's mock cluster, in a process of its own, behaves like the Kafka the
/// bridges will talk to (acks=all, keys and headers, consumer groups, committed offsets, a broker going down).
/// </summary>
public sealed class KafkaMockClusterTests(KafkaMockClusterTests.SharedCluster shared) : IClassFixture<KafkaMockClusterTests.SharedCluster>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    private readonly KafkaMockCluster _cluster = shared.Cluster;

    [Fact]
    public async Task A_record_produced_with_acks_all_is_consumed_back_with_its_key_and_headers()
    {
        var topic = await NewTopicAsync(partitions: 3);
        using var producer = Producer(_cluster);
        var headers = new Headers
        {
            { "ce_type", "digitaltwin.telemetry.v1"u8.ToArray() },
            { "content-type", "application/json"u8.ToArray() },
        };

        var delivered = await producer.ProduceAsync(topic, new Message<string, string> { Key = "WDD2030461A123456", Value = """{"seq":1}""", Headers = headers });

        Assert.Equal(PersistenceStatus.Persisted, delivered.Status);
        using var consumer = Consumer(_cluster, NewGroup());
        consumer.Subscribe(topic);
        var consumed = ConsumeUntil(consumer, 1).Single();
        Assert.Equal("WDD2030461A123456", consumed.Message.Key);
        Assert.Equal("""{"seq":1}""", consumed.Message.Value);
        Assert.Equal(delivered.TopicPartitionOffset, consumed.TopicPartitionOffset);
        Assert.Equal(
            ["ce_type=digitaltwin.telemetry.v1", "content-type=application/json"],
            consumed.Message.Headers.Select(h => $"{h.Key}={Encoding.UTF8.GetString(h.GetValueBytes())}"));
        consumer.Close();
    }

    [Fact]
    public async Task Committed_offsets_survive_a_restart_of_the_consumer()
    {
        var topic = await NewTopicAsync(partitions: 1);
        using (var producer = Producer(_cluster))
        {
            for (var i = 0; i < 10; i++)
            {
                producer.Produce(topic, new Message<string, string> { Key = "WDD2030461A123456", Value = $"record {i}" });
            }

            Assert.Equal(0, producer.Flush(Deadline));
        }

        var group = NewGroup();
        using (var first = Consumer(_cluster, group))
        {
            first.Subscribe(topic);
            var read = ConsumeUntil(first, 4);
            Assert.Equal(["record 0", "record 1", "record 2", "record 3"], read.Select(r => r.Message.Value));
            // Commits the offset after the fourth record: the next to read is offset 4.
            first.Commit(read[^1]);
            first.Close();
        }

        using var second = Consumer(_cluster, group);
        second.Subscribe(topic);
        var resumed = ConsumeUntil(second, 6);
        Assert.Equal(4, resumed[0].Offset.Value);
        Assert.Equal(Enumerable.Range(4, 6).Select(i => $"record {i}"), resumed.Select(r => r.Message.Value));
        second.Close();
    }

    [Fact]
    public async Task Two_consumers_of_one_group_share_the_partitions()
    {
        const int Partitions = 4;
        var topic = await NewTopicAsync(Partitions);
        var group = NewGroup();
        using var one = Consumer(_cluster, group);
        using var two = Consumer(_cluster, group);
        one.Subscribe(topic);
        Poll(() => one.Consume(TimeSpan.FromMilliseconds(100)) is null && one.Assignment.Count == Partitions, "the first consumer to get every partition");

        two.Subscribe(topic);
        Poll(
            () =>
            {
                one.Consume(TimeSpan.FromMilliseconds(50));
                two.Consume(TimeSpan.FromMilliseconds(50));
                return one.Assignment.Count > 0 && two.Assignment.Count > 0
                    && one.Assignment.Count + two.Assignment.Count == Partitions
                    && !one.Assignment.Intersect(two.Assignment).Any();
            },
            "the two consumers to split the partitions");

        using (var producer = Producer(_cluster))
        {
            for (var i = 0; i < 40; i++)
            {
                producer.Produce(topic, new Message<string, string> { Key = $"car-{i}", Value = $"record {i}" });
            }

            Assert.Equal(0, producer.Flush(Deadline));
        }

        var byOne = new List<ConsumeResult<string, string>>();
        var byTwo = new List<ConsumeResult<string, string>>();
        Poll(
            () =>
            {
                if (one.Consume(TimeSpan.FromMilliseconds(50)) is { } a)
                {
                    byOne.Add(a);
                }

                if (two.Consume(TimeSpan.FromMilliseconds(50)) is { } b)
                {
                    byTwo.Add(b);
                }

                return byOne.Count + byTwo.Count >= 40;
            },
            "the 40 records to be consumed");

        Assert.All(byOne, r => Assert.Contains(r.TopicPartition, one.Assignment));
        Assert.All(byTwo, r => Assert.Contains(r.TopicPartition, two.Assignment));
        Assert.Equal(40, byOne.Concat(byTwo).Select(r => r.Message.Value).Distinct().Count());
        one.Close();
        two.Close();
    }

    [Fact]
    public async Task A_broker_that_is_down_refuses_produce_until_it_is_up_again()
    {
        await using var cluster = await KafkaMockCluster.StartAsync(new KafkaMockClusterOptions
        {
            Brokers = 1,
            Topics = new Dictionary<string, int> { ["telemetry"] = 1 },
        });
        using var producer = Producer(cluster, messageTimeoutMs: 2000);
        var before = await producer.ProduceAsync("telemetry", new Message<string, string> { Key = "k", Value = "before" });
        Assert.Equal(PersistenceStatus.Persisted, before.Status);

        await cluster.BrokerDownAsync(1);
        var refused = await Assert.ThrowsAsync<ProduceException<string, string>>(
            () => producer.ProduceAsync("telemetry", new Message<string, string> { Key = "k", Value = "while down" }));
        Assert.Equal(Confluent.Kafka.ErrorCode.Local_MsgTimedOut, refused.Error.Code);

        await cluster.BrokerUpAsync(1);
        // The same idempotent producer recovers once it has reconnected: nothing to restart on the client side.
        var after = await producer.ProduceAsync("telemetry", new Message<string, string> { Key = "k", Value = "after" });
        Assert.Equal(PersistenceStatus.Persisted, after.Status);
        Assert.True(after.Offset > before.Offset);
    }

    [Fact]
    public async Task The_mock_process_exits_when_its_parents_stdin_closes()
    {
        await using var cluster = await KafkaMockCluster.StartAsync(new KafkaMockClusterOptions { Brokers = 1 });

        cluster.CloseStandardInput();

        // 0: it destroyed the cluster before its handle (the other order aborts, exit code 134).
        Assert.Equal(0, await cluster.WaitForExitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task The_mock_process_exits_cleanly_on_SIGTERM()
    {
        await using var cluster = await KafkaMockCluster.StartAsync(new KafkaMockClusterOptions { Brokers = 1 });

        using (var kill = Process.Start("kill", ["-TERM", cluster.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        Assert.Equal(0, await cluster.WaitForExitAsync(TimeSpan.FromSeconds(10)));
    }

    private async Task<string> NewTopicAsync(int partitions)
    {
        var topic = $"test-{Guid.NewGuid():N}";
        await _cluster.CreateTopicAsync(topic, partitions);
        return topic;
    }

    private static string NewGroup() => $"group-{Guid.NewGuid():N}";

    /// <summary>The backend's producer settings (CONTRACT section 5): idempotent, acks=all.</summary>
    private static IProducer<string, string> Producer(KafkaMockCluster cluster, int messageTimeoutMs = 10_000) =>
        new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 1,
            MessageTimeoutMs = messageTimeoutMs,
            // Back quickly after a broker comes up again (the default backoff grows to 10 s).
            ReconnectBackoffMs = 50,
            ReconnectBackoffMaxMs = 500,
        })
        .SetLogHandler((_, _) => { })
        .Build();

    /// <summary>Manual commits; a 3 s session so that a rebalance takes about 2 s on the mock.</summary>
    private static IConsumer<string, string> Consumer(KafkaMockCluster cluster, string group) =>
        new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            GroupId = group,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            SessionTimeoutMs = 3000,
            HeartbeatIntervalMs = 500,
            ReconnectBackoffMs = 50,
            ReconnectBackoffMaxMs = 500,
        })
        .SetLogHandler((_, _) => { })
        .Build();

    private static List<ConsumeResult<string, string>> ConsumeUntil(IConsumer<string, string> consumer, int count)
    {
        var results = new List<ConsumeResult<string, string>>();
        Poll(
            () =>
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false } result)
                {
                    results.Add(result);
                }

                return results.Count >= count;
            },
            $"{count} records");
        return results;
    }

    /// <summary>Calls <paramref name="done"/> (which blocks briefly in a Consume) until it is true or the deadline passes.</summary>
    private static void Poll(Func<bool> done, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!done())
        {
            if (clock.Elapsed > Deadline)
            {
                Assert.Fail($"Waited {Deadline.TotalSeconds} s for {what}.");
            }
        }
    }

    /// <summary>One three-broker cluster for the tests of this class; each test uses topics and groups of its own.</summary>
    public sealed class SharedCluster : IAsyncLifetime
    {
        private KafkaMockCluster? _cluster;

        public KafkaMockCluster Cluster => _cluster ?? throw new InvalidOperationException("not started");

        public async Task InitializeAsync() => _cluster = await KafkaMockCluster.StartAsync();

        public async Task DisposeAsync()
        {
            if (_cluster is not null)
            {
                await _cluster.DisposeAsync();
            }
        }
    }
}
