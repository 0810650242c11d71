using Confluent.Kafka;
using DigitalTwin.Testing;

namespace DigitalTwin.EndToEnd.Tests;

/// <summary>Reads what the silo wrote to Kafka, the way any downstream consumer would.</summary>
internal static class KafkaRecords
{
    /// <summary>Reads the topic from the start until <paramref name="count"/> records match, or fails at the deadline.</summary>
    public static async Task<List<ConsumeResult<string, byte[]>>> ConsumeAsync(KafkaMockCluster kafka, string topic, Func<ConsumeResult<string, byte[]>, bool> match, int count)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = kafka.BootstrapServers,
            GroupId = "e2e-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            SessionTimeoutMs = 6000,
        };
        return await Task.Run(() =>
        {
            using var consumer = new ConsumerBuilder<string, byte[]>(config).Build();
            consumer.Subscribe(topic);
            var found = new List<ConsumeResult<string, byte[]>>();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (found.Count < count && DateTime.UtcNow < deadline)
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } result && match(result))
                {
                    found.Add(result);
                }
            }

            consumer.Close();
            Assert.True(found.Count >= count, $"{found.Count} of {count} records on {topic}");
            return found;
        });
    }
}
