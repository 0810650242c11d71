using System.Text.Json;
using Confluent.Kafka;

namespace DigitalTwin.Bench;

/// <summary>
/// What the bench asks Kafka directly, without an admin client (the mock cluster does not serve one): high watermarks
/// of a topic, and the offsets a consumer group committed (a consumer of that group id that never subscribes, so it
/// does not join the group, asks the coordinator with <c>Committed</c>).
/// </summary>
public sealed class KafkaProbe : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    private readonly IConsumer<Ignore, Ignore> _consumer;

    public KafkaProbe(string bootstrapServers, string groupId)
    {
        _consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = groupId,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
        })
        .SetLogHandler((_, _) => { })
        .SetErrorHandler((_, _) => { })
        .Build();
    }

    /// <summary>Records written to the topic so far: the sum of its partitions' high watermarks (the topics start empty).</summary>
    public long Written(string topic, int partitions)
    {
        var sum = 0L;
        for (var p = 0; p < partitions; p++)
        {
            sum += _consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), RequestTimeout).High.Value;
        }

        return sum;
    }

    /// <summary>Records of the topic the group has committed: the sum of its committed offsets (none committed = 0).</summary>
    public long Committed(string topic, int partitions)
    {
        var offsets = _consumer.Committed(Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)), RequestTimeout);
        return offsets.Sum(o => o.Offset.Value >= 0 ? o.Offset.Value : 0);
    }

    public void Dispose() => _consumer.Dispose();

    /// <summary>
    /// Reads the whole topic (up to its high watermarks when called) and returns each key's highest <c>seq</c>, from the
    /// JSON document of each record, and how many records there were.
    /// </summary>
    public static (Dictionary<string, long> HighestSeq, long Records) ReadSeqs(string bootstrapServers, string topic, int partitions, CancellationToken cancel)
    {
        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "bench-reader-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            EnablePartitionEof = false,
        })
        .SetLogHandler((_, _) => { })
        .SetErrorHandler((_, _) => { })
        .Build();

        var remaining = new Dictionary<int, long>();
        for (var p = 0; p < partitions; p++)
        {
            var high = consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), RequestTimeout).High.Value;
            if (high > 0)
            {
                remaining[p] = high;
            }
        }

        consumer.Assign(remaining.Keys.Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var seqs = new Dictionary<string, long>(StringComparer.Ordinal);
        var records = 0L;
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (remaining.Count > 0 && DateTime.UtcNow < deadline)
        {
            cancel.ThrowIfCancellationRequested();
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result?.Message is null)
            {
                continue;
            }

            records++;
            if (result.Message.Key is { } key && SeqOf(result.Message.Value) is { } seq && seq > seqs.GetValueOrDefault(key))
            {
                seqs[key] = seq;
            }

            var partition = result.Partition.Value;
            if (remaining.TryGetValue(partition, out var high) && result.Offset.Value + 1 >= high)
            {
                remaining.Remove(partition);
            }
        }

        consumer.Close();
        return (seqs, records);
    }

    /// <summary>The top-level <c>seq</c> of a JSON document, or null.</summary>
    private static long? SeqOf(byte[]? value)
    {
        if (value is null)
        {
            return null;
        }

        var reader = new Utf8JsonReader(value);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isSeq = reader.ValueTextEquals("seq"u8);
            if (!reader.Read())
            {
                return null;
            }

            if (isSeq && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var seq))
            {
                return seq;
            }

            reader.Skip();
        }

        return null;
    }
}
