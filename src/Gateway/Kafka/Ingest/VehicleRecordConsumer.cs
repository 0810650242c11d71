using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Confluent.Kafka;
using DigitalTwin.Contract;
using DigitalTwin.Contract.Topics;
using DigitalTwin.Gateway.DeadLetters;
using DigitalTwin.Gateway.Diagnostics;
using DigitalTwin.Gateway.Mqtt;
using DigitalTwin.Grains.Abstractions.Vehicles;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Gateway.Kafka.Ingest;

/// <summary>
/// Feeds the twins from the ingest topics (contract, section 5, "In"), one consumer per silo in one group. A record
/// goes through the same <see cref="MqttIngress"/> as a car's publish. One car's records are applied one after another
/// (a car always maps to the same lane), different cars concurrently. An offset is committed only once every record
/// below it is applied and the twins they changed are durable (<see cref="IVehicleStorage.Persist"/>), so a silo killed
/// at any moment loses nothing, and what it re-reads is absorbed by the seq rule. Partitions given up in a rebalance are
/// drained and committed first; a twin found to have lost what it applied (its silo died) makes its partition re-read.
/// </summary>
public sealed partial class VehicleRecordConsumer : BackgroundService
{
    /// <summary>Starts where a dead letter's topic would be: <c>kafka:{topic}/{partition}@{offset}</c> names the record.</summary>
    public const string SourcePrefix = "kafka:";

    private readonly KafkaOptions _options;
    private readonly KafkaIngestOptions _ingest;
    private readonly MqttIngress _ingress;
    private readonly IGrainFactory _grains;
    private readonly DeadLetterStore _deadLetters;
    private readonly GatewayMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<TopicPartition, PartitionProgress> _partitions = new();
    private readonly ConcurrentQueue<Action<IConsumer<string?, byte[]>>> _consumerActions = new();
    private readonly Channel<Work>[] _lanes;
    private readonly SemaphoreSlim _inFlight;

    public VehicleRecordConsumer(
        IOptions<KafkaOptions> options,
        MqttIngress ingress,
        IGrainFactory grains,
        DeadLetterStore deadLetters,
        GatewayMetrics metrics,
        TimeProvider time,
        ILogger<VehicleRecordConsumer> logger)
    {
        _options = options.Value;
        _ingest = _options.Ingest;
        _ingress = ingress;
        _grains = grains;
        _deadLetters = deadLetters;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _inFlight = new SemaphoreSlim(_ingest.MaxInFlight, _ingest.MaxInFlight);
        _lanes = new Channel<Work>[_ingest.Lanes];
        for (var i = 0; i < _lanes.Length; i++)
        {
            _lanes[i] = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        }

        metrics.ObserveConsumerLag(ObserveLag);
        metrics.ObserveConsumerAssignment(ObserveAssignment);
    }

    /// <summary>Partitions this silo consumes now, for tests and diagnostics.</summary>
    public IReadOnlyCollection<TopicPartition> Assigned => [.. _partitions.Keys];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var lanes = _lanes.Select(lane => Task.Run(() => RunLaneAsync(lane.Reader), CancellationToken.None)).ToArray();
        var barriers = Task.Run(() => RunBarriersAsync(stoppingToken), CancellationToken.None);

        // librdkafka's consumer is driven from one thread that blocks in Consume; rebalance callbacks run on it.
        await Task.Factory.StartNew(() => Consume(stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        foreach (var lane in _lanes)
        {
            lane.Writer.TryComplete();
        }

        await Task.WhenAll(lanes);
        await barriers;
    }

    private void Consume(CancellationToken stoppingToken)
    {
        using var consumer = new ConsumerBuilder<string?, byte[]>(KafkaClientConfigs.Consumer(_options))
            .SetErrorHandler((_, error) => LogClientError(_logger, error.Code.ToString(), error.Reason))
            .SetLogHandler((_, message) => LogClient(_logger, message.Level.ToString(), message.Facility, message.Message))
            .SetPartitionsAssignedHandler((_, assigned) => OnAssigned(assigned))
            .SetPartitionsRevokedHandler((c, revoked) => OnRevoked(c, revoked.Select(p => p.TopicPartition)))
            .SetPartitionsLostHandler((_, lost) => OnLost(lost.Select(p => p.TopicPartition)))
            .Build();
        consumer.Subscribe(_ingest.TopicList);
        LogStarted(_logger, string.Join(",", _ingest.TopicList), _ingest.GroupId);

        var lastLagUpdate = 0L;
        while (!stoppingToken.IsCancellationRequested)
        {
            RunConsumerActions(consumer);
            if (Environment.TickCount64 - lastLagUpdate > 1000)
            {
                UpdateLag(consumer);
                lastLagUpdate = Environment.TickCount64;
            }

            ConsumeResult<string?, byte[]>? result;
            try
            {
                result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            }
            catch (ConsumeException ex)
            {
                // Not a record this silo can read (e.g. a deserialization or fetch error): logged, the loop goes on.
                LogClientError(_logger, ex.Error.Code.ToString(), ex.Error.Reason);
                continue;
            }

            if (result?.Message is null || !_partitions.TryGetValue(result.TopicPartition, out var progress))
            {
                continue;
            }

            try
            {
                _inFlight.Wait(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            progress.Dispatched(result.Offset.Value, _time.GetTimestamp());
            var lane = (int)((uint)StringComparer.Ordinal.GetHashCode(result.Message.Key ?? string.Empty) % (uint)_lanes.Length);
            _lanes[lane].Writer.TryWrite(new Work(result, progress));
        }

        // Close leaves the group: the revoked handler drains and commits every partition this silo held.
        try
        {
            consumer.Close();
        }
        catch (KafkaException ex)
        {
            LogClientError(_logger, ex.Error.Code.ToString(), ex.Error.Reason);
        }
    }

    private void OnAssigned(IEnumerable<TopicPartition> assigned)
    {
        foreach (var partition in assigned)
        {
            _partitions[partition] = new PartitionProgress(partition);
            LogAssigned(_logger, partition.Topic, partition.Partition.Value);
        }
    }

    /// <summary>
    /// Before another silo takes them: records not started yet are left to it, the ones being applied are waited for (at
    /// most <see cref="KafkaIngestOptions.DrainTimeout"/> for all together), their twins made durable, offsets committed.
    /// </summary>
    private void OnRevoked(IConsumer<string?, byte[]> consumer, IEnumerable<TopicPartition> revoked)
    {
        var leaving = new List<PartitionProgress>();
        foreach (var partition in revoked)
        {
            if (_partitions.TryRemove(partition, out var progress))
            {
                progress.BeginRevoke();
                leaving.Add(progress);
            }
        }

        var deadline = _time.GetTimestamp();
        foreach (var progress in leaving)
        {
            var left = _ingest.DrainTimeout - _time.GetElapsedTime(deadline);
            progress.WaitDrained(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }

        foreach (var progress in leaving)
        {
            // A barrier of the commit interval may hold the lock while it waits for this thread to commit for it.
            while (!progress.BarrierLock.Wait(TimeSpan.FromMilliseconds(10)))
            {
                RunConsumerActions(consumer);
            }
        }

        try
        {
            // The group waits for this: when making the twins durable takes longer than what is left of the drain
            // timeout (history far behind, PostgreSQL slow), nothing is committed and the next owner reads again from
            // the last commit, which the seq rule and idempotent history absorb.
            var left = _ingest.DrainTimeout - _time.GetElapsedTime(deadline);
            var barriers = Task.WhenAll(leaving.Select(p => BarrierAsync(p, CancellationToken.None)));
            if (barriers.Wait(left > TimeSpan.Zero ? left : TimeSpan.Zero))
            {
                var offsets = barriers.Result;
                for (var i = 0; i < leaving.Count; i++)
                {
                    if (offsets[i] is { } offset)
                    {
                        Commit(consumer, leaving[i], offset);
                    }
                }
            }
            else
            {
                _metrics.KafkaCommit("not_durable");
            }
        }
        finally
        {
            foreach (var progress in leaving)
            {
                progress.Retire();
                progress.BarrierLock.Release();
                LogRevoked(_logger, progress.Partition.Topic, progress.Partition.Partition.Value, progress.CommittedOffset, progress.InFlight == 0);
            }
        }
    }

    private void OnLost(IEnumerable<TopicPartition> lost)
    {
        foreach (var partition in lost)
        {
            if (_partitions.TryRemove(partition, out var progress))
            {
                // Another silo owns it already: committing now could move its offset; it re-reads from the last commit.
                progress.Retire();
                LogLost(_logger, partition.Topic, partition.Partition.Value);
            }
        }
    }

    private async Task RunLaneAsync(ChannelReader<Work> lane)
    {
        await foreach (var work in lane.ReadAllAsync())
        {
            try
            {
                await ApplyAsync(work);
            }
            finally
            {
                _inFlight.Release();
            }
        }
    }

    private async Task ApplyAsync(Work work)
    {
        var record = work.Record;
        var progress = work.Progress;
        var topic = record.Topic;
        var key = record.Message.Key;
        var value = new ReadOnlySequence<byte>(record.Message.Value ?? []);
        var source = $"{SourcePrefix}{topic}/{record.Partition.Value}@{record.Offset.Value}";
        var delay = TimeSpan.FromMilliseconds(100);
        for (var attempt = 1; progress.IsCurrent && !progress.IsRevoking; attempt++)
        {
            var result = await _ingress.HandleRecordAsync(key, source, value);
            if (result.Status != IngressStatus.Failed)
            {
                _metrics.KafkaConsumed(topic, Outcome(result.Status));
                var changed = result.Status == IngressStatus.Applied && result.Seq >= 0 ? key : null;
                progress.Completed(record.Offset.Value, changed, result.Kind, result.Seq);
                return;
            }

            if (attempt >= _ingest.MaxAttempts)
            {
                _deadLetters.Add(key, source, RejectReason.Internal, $"not applied after {attempt} attempts (Kafka:Ingest:MaxAttempts): {result.Detail}", value);
                _metrics.KafkaConsumed(topic, "gave_up");
                progress.Completed(record.Offset.Value, null, VehicleTopicKind.Telemetry, -1);
                LogGaveUp(_logger, key, source, attempt);
                return;
            }

            _metrics.KafkaConsumed(topic, "retried");
            await Task.Delay(delay, _time);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5_000));
        }

        // Given up, lost or rewound before it was applied: the partition's next owner (or the re-read) applies it.
        progress.Skipped(record.Offset.Value);
    }

    /// <summary>Every commit interval, each partition's barrier; commits are handed to the consumer's thread.</summary>
    private async Task RunBarriersAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_ingest.CommitInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await Task.WhenAll(_partitions.Values.Select(p => BarrierAndCommitAsync(p, stoppingToken)));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the revoked handler commits what is left.
        }
    }

    private async Task BarrierAndCommitAsync(PartitionProgress progress, CancellationToken cancellationToken)
    {
        await progress.BarrierLock.WaitAsync(cancellationToken);
        try
        {
            if (await BarrierAsync(progress, cancellationToken) is { } offset)
            {
                var committedAt = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _consumerActions.Enqueue(consumer =>
                {
                    Commit(consumer, progress, offset);
                    committedAt.TrySetResult();
                });

                // Held until the commit is made, so that a revocation commits after it, never before.
                await committedAt.Task.WaitAsync(_ingest.DrainTimeout, _time, cancellationToken);
            }
        }
        catch (TimeoutException)
        {
            // The consumer thread is busy in a rebalance; the next barrier commits a later offset.
        }
        finally
        {
            progress.BarrierLock.Release();
        }
    }

    /// <summary>
    /// Makes the twins a partition changed durable and returns the offset that may be committed, or null: nothing new,
    /// a twin not durable yet (tried again next time), or a twin that lost what it applied (the partition is re-read).
    /// </summary>
    private async Task<long?> BarrierAsync(PartitionProgress progress, CancellationToken cancellationToken)
    {
        if (progress.TakeBarrier() is not { } barrier)
        {
            return null;
        }

        var verdicts = await Task.WhenAll(barrier.Changed.Select(car => PersistAsync(car.Key, car.Value)));
        if (verdicts.Contains(Durability.Lost))
        {
            _metrics.KafkaCommit("rewound");
            RequestRewind(progress);
            return null;
        }

        if (verdicts.Contains(Durability.NotYet))
        {
            _metrics.KafkaCommit("not_durable");
            progress.Restore(barrier);
            return null;
        }

        _metrics.KafkaCommitLag(_time.GetElapsedTime(barrier.OldestTimestamp).TotalMilliseconds);
        return barrier.Offset;
    }

    private async Task<Durability> PersistAsync(string vin, AppliedSeqs applied)
    {
        try
        {
            var stored = await _grains.GetVehicle<IVehicleStorage>(vin).Persist();
            if (stored.LastTelemetrySeq < applied.Telemetry || stored.LastEventSeq < applied.Events)
            {
                LogLostState(_logger, vin, applied.Telemetry, stored.LastTelemetrySeq, applied.Events, stored.LastEventSeq);
                return Durability.Lost;
            }

            return stored.Durable ? Durability.Durable : Durability.NotYet;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogPersistFailed(_logger, ex, vin);
            return Durability.NotYet;
        }
    }

    /// <summary>On the consumer's thread: go back to the last commit; what is queued for the partition is skipped.</summary>
    private void RequestRewind(PartitionProgress progress) => _consumerActions.Enqueue(consumer =>
    {
        if (!progress.IsCurrent || !_partitions.TryGetValue(progress.Partition, out var current) || current != progress)
        {
            return;
        }

        progress.Retire();
        var offset = progress.CommittedOffset;
        _partitions[progress.Partition] = new PartitionProgress(progress.Partition);
        try
        {
            consumer.Seek(new TopicPartitionOffset(progress.Partition, new Offset(offset)));
            LogRewound(_logger, progress.Partition.Topic, progress.Partition.Partition.Value, offset);
        }
        catch (KafkaException ex)
        {
            LogClientError(_logger, ex.Error.Code.ToString(), ex.Error.Reason);
        }
    });

    private void RunConsumerActions(IConsumer<string?, byte[]> consumer)
    {
        while (_consumerActions.TryDequeue(out var action))
        {
            action(consumer);
        }
    }

    private void Commit(IConsumer<string?, byte[]> consumer, PartitionProgress progress, long offset)
    {
        if (!progress.IsCurrent)
        {
            return;
        }

        try
        {
            consumer.Commit([new TopicPartitionOffset(progress.Partition, new Offset(offset))]);
            progress.Committed(offset, _time.GetTimestamp());
            _metrics.KafkaCommit("committed");
        }
        catch (KafkaException ex)
        {
            // Nothing is lost: the twins are durable, and a later commit covers these records too.
            _metrics.KafkaCommit("failed");
            LogCommitFailed(_logger, progress.Partition.Topic, progress.Partition.Partition.Value, offset, ex.Error.Reason);
        }
    }

    private readonly ConcurrentDictionary<TopicPartition, long> _lag = new();

    private void UpdateLag(IConsumer<string?, byte[]> consumer)
    {
        foreach (var key in _lag.Keys.Where(p => !_partitions.ContainsKey(p)))
        {
            _lag.TryRemove(key, out _);
        }

        foreach (var (partition, progress) in _partitions)
        {
            var high = consumer.GetWatermarkOffsets(partition).High;

            // Until this silo read a record of the partition, where it will start is the best guess of the commit.
            var committed = progress.CommittedOffset >= 0 ? progress.CommittedOffset : consumer.Position(partition).Value;
            if (high != Offset.Unset && committed >= 0)
            {
                _lag[partition] = Math.Max(0, high.Value - committed);
            }
        }
    }

    private IEnumerable<Measurement<long>> ObserveLag() =>
        _lag.Select(p => new Measurement<long>(
            p.Value,
            new KeyValuePair<string, object?>("topic", p.Key.Topic),
            new KeyValuePair<string, object?>("partition", p.Key.Partition.Value)));

    // Every subscribed topic has a series, 0 included, so that a silo holding none of a topic's partitions says so.
    private IEnumerable<Measurement<int>> ObserveAssignment()
    {
        var assigned = _partitions.Keys.ToList();
        return _ingest.TopicList.Select(topic => new Measurement<int>(
            assigned.Count(p => p.Topic == topic),
            new KeyValuePair<string, object?>("topic", topic)));
    }

    private static string Outcome(IngressStatus status) => status switch
    {
        IngressStatus.Applied => "applied",
        IngressStatus.Duplicate => "duplicate",
        IngressStatus.Ignored => "ignored",
        _ => "rejected",
    };

    private enum Durability
    {
        Durable,
        NotYet,
        Lost,
    }

    private sealed record Work(ConsumeResult<string?, byte[]> Record, PartitionProgress Progress);

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka ingest: consuming {Topics} in group {GroupId}")]
    private static partial void LogStarted(ILogger logger, string topics, string groupId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka ingest: assigned {Topic}[{Partition}]")]
    private static partial void LogAssigned(ILogger logger, string topic, int partition);

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka ingest: gave up {Topic}[{Partition}] at committed offset {Offset} (drained: {Drained})")]
    private static partial void LogRevoked(ILogger logger, string topic, int partition, long offset, bool drained);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka ingest: lost {Topic}[{Partition}] to another member; it re-reads from the last commit")]
    private static partial void LogLost(ILogger logger, string topic, int partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka ingest: {Topic}[{Partition}] re-read from offset {Offset}: a twin lost records it had applied")]
    private static partial void LogRewound(ILogger logger, string topic, int partition, long offset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka ingest: twin {Vin} holds telemetry seq {StoredTelemetry} and event seq {StoredEvents} after applying {AppliedTelemetry} and {AppliedEvents}: its silo lost them")]
    private static partial void LogLostState(ILogger logger, string vin, long appliedTelemetry, long storedTelemetry, long appliedEvents, long storedEvents);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka ingest: twin {Vin} could not be made durable; its records are committed later")]
    private static partial void LogPersistFailed(ILogger logger, Exception exception, string vin);

    [LoggerMessage(Level = LogLevel.Error, Message = "Kafka ingest: record {Key} at {Source} dead-lettered after {Attempts} failed attempts")]
    private static partial void LogGaveUp(ILogger logger, string? key, string source, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka ingest: committing {Topic}[{Partition}]@{Offset} failed: {Reason}")]
    private static partial void LogCommitFailed(ILogger logger, string topic, int partition, long offset, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka consumer: {Code} {Reason}")]
    private static partial void LogClientError(ILogger logger, string code, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "librdkafka {Level} {Facility}: {Message}")]
    private static partial void LogClient(ILogger logger, string level, string facility, string message);
}
