using System.Text;
using Confluent.Kafka;
using DigitalTwin.Testing;

namespace DigitalTwin.EndToEnd.Tests;

/// <summary>
/// Reads every partition of one topic from the beginning (assigned, no consumer group, so no rebalance to wait for) and
/// keeps the records of one key in the order Kafka holds them. Each wait reads on from where the last one stopped.
/// </summary>
internal sealed class KafkaTopicReader : IDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly IConsumer<string, byte[]> _consumer;
    private readonly string _key;
    private readonly HashSet<int> _atEnd = [];
    private readonly int _partitions;
    private readonly List<ConsumeResult<string, byte[]>> _records = [];

    public KafkaTopicReader(KafkaMockCluster kafka, string topic, int partitions, string key)
    {
        _key = key;
        _partitions = partitions;
        _consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = kafka.BootstrapServers,
            GroupId = "e2e-reader-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        }).Build();
        _consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
    }

    /// <summary>
    /// Reads until <paramref name="done"/> holds for the key's records and every partition is read to the end Kafka
    /// last reported, so that a test asserting "exactly these" has seen what Kafka had; fails at the deadline.
    /// </summary>
    public Task<IReadOnlyList<ConsumeResult<string, byte[]>>> UntilAsync(Func<IReadOnlyList<ConsumeResult<string, byte[]>>, bool> done, TimeSpan? timeout = null) =>
        Task.Run(() =>
        {
            var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
            while (DateTime.UtcNow < deadline)
            {
                if (_consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } result)
                {
                    if (result.IsPartitionEOF)
                    {
                        _atEnd.Add(result.Partition.Value);
                    }
                    else
                    {
                        _atEnd.Remove(result.Partition.Value);
                        if (result.Message.Key == _key)
                        {
                            _records.Add(result);
                        }
                    }
                }

                if (_atEnd.Count == _partitions && done(_records))
                {
                    return (IReadOnlyList<ConsumeResult<string, byte[]>>)_records.ToList();
                }
            }

            Assert.Fail($"{_records.Count} record(s) of {_key} read before the deadline, and the condition was not met");
            return [];
        });

    public static string Header(ConsumeResult<string, byte[]> record, string name) =>
        Encoding.UTF8.GetString(record.Message.Headers.GetLastBytes(name));

    public void Dispose()
    {
        _consumer.Close();
        _consumer.Dispose();
    }
}
