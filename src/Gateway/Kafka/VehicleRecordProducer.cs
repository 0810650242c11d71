using Confluent.Kafka;
using DigitalTwin.Gateway.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Gateway.Kafka;

/// <summary>
/// The silo's one Kafka producer (thread-safe, batching). Durable records are awaited; asynchronous ones are handed
/// over with a delivery handler, retried by librdkafka until <see cref="KafkaOptions.DeliveryTimeout"/>, and counted
/// when they fail or do not fit its queue: never dropped silently. Knows whether Kafka answers, for <c>/readyz</c>.
/// </summary>
/// <remarks>
/// It exists from before the first hosted service starts until after the last one stopped, wherever it is registered:
/// built in <see cref="StartingAsync"/> and flushed in <see cref="StoppedAsync"/>. Twins produce records from the
/// moment the silo activates them until they deactivate, and the silo deactivates them while it stops; each stages
/// its last snapshot then, and that record must still go out.
/// </remarks>
public sealed partial class VehicleRecordProducer(
    IOptions<KafkaOptions> options,
    GatewayMetrics metrics,
    TimeProvider time,
    ILogger<VehicleRecordProducer> logger) : IHostedLifecycleService, IDisposable
{
    private static readonly TimeSpan FinalFlushTimeout = TimeSpan.FromSeconds(10);

    private readonly Lock _healthGate = new();
    private IProducer<string, byte[]>? _producer;
    private string? _lastError;
    private DateTimeOffset _lastErrorAt;
    private DateTimeOffset _lastDeliveredAt;

    /// <summary>Null while Kafka answers; otherwise why it does not, and since when.</summary>
    public (string Reason, DateTimeOffset Since)? Problem
    {
        get
        {
            lock (_healthGate)
            {
                return _lastError is not null && _lastErrorAt >= _lastDeliveredAt ? (_lastError, _lastErrorAt) : null;
            }
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        _producer ??= new ProducerBuilder<string, byte[]>(KafkaClientConfigs.Producer(options.Value))
            .SetErrorHandler((_, error) => OnError(error))
            .SetLogHandler((_, message) => LogClient(logger, message.Level.ToString(), message.Facility, message.Message))
            .Build();
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        // What was handed over asynchronously, the twins' last snapshots among it, gets its chance to reach Kafka
        // before the silo goes.
        var remaining = _producer?.Flush(FinalFlushTimeout) ?? 0;
        if (remaining > 0)
        {
            metrics.KafkaRecord("all", "dropped", remaining);
            LogUnflushed(logger, remaining);
        }

        return Task.CompletedTask;
    }

    public void Dispose() => _producer?.Dispose();

    /// <returns>True once Kafka has the record; false when it could not be delivered within the delivery timeout or did not fit the queue.</returns>
    public async ValueTask<bool> ProduceAsync(string topic, Message<string, byte[]> record)
    {
        var producer = _producer ?? throw new InvalidOperationException("The Kafka producer has not started.");
        var started = time.GetTimestamp();
        try
        {
            await producer.ProduceAsync(topic, record);
            Delivered(topic, started);
            return true;
        }
        catch (ProduceException<string, byte[]> ex)
        {
            Failed(topic, ex.Error);
            return false;
        }
        catch (KafkaException ex)
        {
            Failed(topic, ex.Error);
            return false;
        }
    }

    /// <summary>Hands a record over without waiting; its delivery or failure is counted when librdkafka reports it.</summary>
    public void Produce(string topic, Message<string, byte[]> record)
    {
        var producer = _producer ?? throw new InvalidOperationException("The Kafka producer has not started.");
        var started = time.GetTimestamp();
        try
        {
            producer.Produce(topic, record, report =>
            {
                if (report.Error.IsError)
                {
                    Failed(topic, report.Error);
                }
                else
                {
                    Delivered(topic, started);
                }
            });
        }
        catch (ProduceException<string, byte[]> ex)
        {
            // The queue is full (Kafka:MaxQueuedRecords) or the record cannot be produced at all.
            Failed(topic, ex.Error);
        }
    }

    private void Delivered(string topic, long started)
    {
        metrics.KafkaRecord(topic, "delivered");
        metrics.KafkaProduceDuration(time.GetElapsedTime(started).TotalMilliseconds, topic);
        lock (_healthGate)
        {
            _lastDeliveredAt = time.GetUtcNow();
        }
    }

    private void Failed(string topic, Error error)
    {
        metrics.KafkaRecord(topic, error.Code == Confluent.Kafka.ErrorCode.Local_QueueFull ? "dropped" : "failed");
        OnError(error);
    }

    private void OnError(Error error)
    {
        lock (_healthGate)
        {
            _lastError = $"{error.Code}: {error.Reason}";
            _lastErrorAt = time.GetUtcNow();
        }

        LogError(logger, error.Code.ToString(), error.Reason);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka: {Code} {Reason}")]
    private static partial void LogError(ILogger logger, string code, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "librdkafka {Level} {Facility}: {Message}")]
    private static partial void LogClient(ILogger logger, string level, string facility, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Kafka: {Count} record(s) were not delivered before the silo stopped")]
    private static partial void LogUnflushed(ILogger logger, int count);
}
