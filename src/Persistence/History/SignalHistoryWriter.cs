using System.Collections.Concurrent;
using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Storage;
using DigitalTwin.Persistence.Diagnostics;
using DigitalTwin.Persistence.WriteBehind;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace DigitalTwin.Persistence.History;

/// <summary>
/// Buffers samples in memory and writes them into <c>signal_history</c> in batches. The buffer is bounded by
/// <see cref="PostgresPersistenceOptions.MaxPendingHistoryRows"/>, counting the batch being written, so an outage costs
/// at most that much memory.
/// <para>
/// A sample is identified by (vin, signal, ts), and writing one that is already stored leaves the stored row alone: a
/// replay after a crash (telemetry applied again because its snapshot was lost) or a retried batch whose commit was
/// never confirmed must not duplicate history. A batch goes in with binary COPY straight into the table, the cheapest
/// way to append many rows. COPY cannot skip a row, so when the unique index refuses one, the batch is written again
/// the careful way: copied into a temporary table of the transaction and moved with <c>INSERT ... ON CONFLICT DO
/// NOTHING</c>, which also absorbs the same sample twice within one batch. The careful way alone would do, but in the
/// benchmark it wrote 30-60% fewer rows a second than COPY (docs/benchmarks.md), and duplicates are rare: they come in
/// runs, after a crash, and while one lasts the careful way is taken first.
/// </para>
/// </summary>
public sealed partial class SignalHistoryWriter : ISignalHistoryWriter
{
    private const string CopySql =
        "COPY signal_history (vin, signal, ts, value_num, value_bool, value_text) FROM STDIN (FORMAT BINARY)";

    // Dropped at commit or rollback, so a pooled connection never carries it into the next batch; LIKE copies the
    // columns and NOT NULL, and the CHECK is enforced where it matters, by the INSERT into signal_history.
    private const string CreateStagingSql =
        "CREATE TEMP TABLE signal_history_staging (LIKE signal_history) ON COMMIT DROP";

    private const string CopyToStagingSql =
        "COPY signal_history_staging (vin, signal, ts, value_num, value_bool, value_text) FROM STDIN (FORMAT BINARY)";

    // In the order copied (a fresh heap is scanned in insertion order), so of two equal samples in one batch the first
    // is kept, as it is against a row already stored. Served by the unique index signal_history_vin_signal_ts.
    private const string InsertFromStagingSql =
        """
        INSERT INTO signal_history (vin, signal, ts, value_num, value_bool, value_text)
        SELECT vin, signal, ts, value_num, value_bool, value_text FROM signal_history_staging
        ON CONFLICT (vin, signal, ts) DO NOTHING
        """;

    private readonly ConcurrentQueue<SignalHistoryRow> _queue = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresPersistenceOptions _options;
    private readonly PersistenceMetrics _metrics;
    private readonly ILogger _logger;

    // Taken from the queue but not written yet; kept across failed attempts so that a retry writes the same rows.
    private readonly List<SignalHistoryRow> _batch = [];
    private int _pendingCount;

    // Samples counted in before they enter the queue and counted out once written or refused: as the queue is first in,
    // first out, every sample counted in before a barrier is settled once the settled count reaches the count taken then.
    private long _appended;
    private long _settled;
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Whether the last slice written the careful way met samples already stored. A replay re-sends a run of them, and
    // trying COPY first would cost each slice a failed COPY; the first slice without one goes back to COPY.
    private bool _expectDuplicates;

    public SignalHistoryWriter(
        [FromKeyedServices(PersistenceExtensions.DataSourceKey)] NpgsqlDataSource dataSource,
        IOptions<PostgresPersistenceOptions> options,
        PersistenceMetrics metrics,
        ILogger<SignalHistoryWriter> logger)
    {
        _dataSource = dataSource;
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Samples not in PostgreSQL yet, including the batch being written.</summary>
    public int PendingCount => Volatile.Read(ref _pendingCount);

    /// <summary>Whether the next slice skips COPY and goes the careful way, as it does while a replay lasts.</summary>
    internal bool ExpectsDuplicates => _expectDuplicates;

    /// <summary>Queues every signal of an applied telemetry document, stamped with the document's sample time.</summary>
    /// <returns>How many samples were accepted; fewer than sent means the history bound was reached.</returns>
    public int Append(string vin, TelemetryMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var sampledAt = DateTimeOffset.FromUnixTimeMilliseconds(message.Ts);
        var accepted = 0;
        foreach (var sample in message.Signals)
        {
            if (Append(new SignalHistoryRow(vin, sample.Name, sampledAt, sample.Value)))
            {
                accepted++;
            }
        }

        return accepted;
    }

    /// <summary>
    /// Queues one sample. Returns false if <c>Persistence:MaxPendingHistoryRows</c> samples are already waiting, in
    /// which case the sample is dropped, counted and logged.
    /// </summary>
    public bool Append(SignalHistoryRow row)
    {
        if (Interlocked.Increment(ref _pendingCount) > _options.MaxPendingHistoryRows)
        {
            Interlocked.Decrement(ref _pendingCount);
            var dropped = _metrics.HistoryDropped();
            if (dropped == 1 || dropped % 100_000 == 0)
            {
                LogDropped(_logger, row.Vin, row.Signal, _options.MaxPendingHistoryRows, dropped);
            }

            return false;
        }

        Interlocked.Increment(ref _appended);
        _queue.Enqueue(row);
        _metrics.HistoryAppended();
        return true;
    }

    /// <summary>
    /// Telemetry waits once this many samples wait: <c>Persistence:MaxPendingHistoryRows</c> less a twentieth, which is
    /// left for the documents twins on other threads are applying at that moment, so that the bound's drop in
    /// <see cref="Append(SignalHistoryRow)"/> stays a last resort that full load does not reach.
    /// </summary>
    internal int BackpressureRows => _options.MaxPendingHistoryRows - (_options.MaxPendingHistoryRows / 20);

    public bool HasRoomFor(int samples) => Volatile.Read(ref _pendingCount) + samples <= Math.Max(BackpressureRows, samples);

    public async ValueTask WhenRoomForAsync(int samples, CancellationToken cancellationToken)
    {
        while (!HasRoomFor(samples))
        {
            var next = Volatile.Read(ref _progress);
            if (HasRoomFor(samples))
            {
                break;
            }

            await next.Task.WaitAsync(cancellationToken);
        }
    }

    public async ValueTask WhenWrittenAsync(CancellationToken cancellationToken)
    {
        var needed = Interlocked.Read(ref _appended);
        while (Interlocked.Read(ref _settled) < needed)
        {
            var next = Volatile.Read(ref _progress);
            if (Interlocked.Read(ref _settled) >= needed)
            {
                break;
            }

            await next.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Copies up to one batch. Throws if PostgreSQL cannot be reached, keeping the batch for the next attempt; rows
    /// PostgreSQL refuses as data are dropped and counted.
    /// </summary>
    /// <returns>True if at least another full batch is already waiting.</returns>
    public async Task<bool> WriteNextBatchAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            while (_batch.Count < _options.HistoryBatchSize && _queue.TryDequeue(out var row))
            {
                _batch.Add(row);
            }

            await CopyBatchAsync(cancellationToken);

            return _queue.Count >= _options.HistoryBatchSize;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    internal Task PingAsync(CancellationToken cancellationToken) =>
        _dataSource.PingAsync(_options.CommandTimeout, cancellationToken);

    /// <summary>Forgets everything pending and counts it as dropped; for a shutdown that has run out of time.</summary>
    internal int AbandonPending()
    {
        var abandoned = _batch.Count;
        _batch.Clear();
        while (_queue.TryDequeue(out _))
        {
            abandoned++;
        }

        Interlocked.Add(ref _pendingCount, -abandoned);
        Settled(abandoned);
        _metrics.HistoryDropped(abandoned);
        return abandoned;
    }

    /// <summary>
    /// Writes <see cref="_batch"/>, removing rows from it as they are settled, so that a failure part way leaves
    /// exactly the unwritten rows for the retry. A slice is one transaction, all or nothing: when PostgreSQL refuses the
    /// data, the slice is halved until the refused row stands alone, then grows again, so every good row is still
    /// written. A row skipped because its sample is already stored is settled like one inserted.
    /// </summary>
    private async Task CopyBatchAsync(CancellationToken cancellationToken)
    {
        var sliceSize = _batch.Count;
        while (_batch.Count > 0)
        {
            var count = Math.Min(sliceSize, _batch.Count);
            var slice = _batch.GetRange(0, count);
            try
            {
                var inserted = await WriteSliceAsync(slice, cancellationToken);
                // A duplicate is as durable as a new row: it counts as written, and separately as skipped.
                _metrics.HistoryWritten(count);
                if (inserted < count)
                {
                    _metrics.HistorySkippedAsDuplicates(count - inserted);
                    LogDuplicatesSkipped(_logger, count - inserted, count);
                }

                sliceSize = Math.Min(sliceSize * 2, _options.HistoryBatchSize);
            }
            catch (Exception ex) when (WriteErrors.IsCausedByData(ex) && !cancellationToken.IsCancellationRequested)
            {
                if (count > 1)
                {
                    sliceSize = (count + 1) / 2;
                    continue;
                }

                _metrics.HistoryRejected();
                LogRejected(_logger, ex, slice[0].Vin, slice[0].Signal, ex.Message);
            }

            _batch.RemoveRange(0, count);
            Interlocked.Add(ref _pendingCount, -count);
            Settled(count);
        }
    }

    private void Settled(int count)
    {
        Interlocked.Add(ref _settled, count);
        Interlocked.Exchange(ref _progress, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>Writes one slice, by COPY unless it holds a sample already stored.</summary>
    /// <returns>How many rows were inserted; the others were samples already stored.</returns>
    private async Task<int> WriteSliceAsync(List<SignalHistoryRow> rows, CancellationToken cancellationToken)
    {
        if (!_expectDuplicates)
        {
            try
            {
                await CopyAsync(rows, cancellationToken);
                return rows.Count;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                // The only unique index is the sample's key; nothing was written, as a COPY is all or nothing.
            }
        }

        var inserted = await CopySkippingDuplicatesAsync(rows, cancellationToken);
        _expectDuplicates = inserted < rows.Count;
        return inserted;
    }

    private async Task CopyAsync(List<SignalHistoryRow> rows, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await ImportAsync(connection, CopySql, rows, cancellationToken);
    }

    /// <summary>Copies the rows into the staging table and moves them into <c>signal_history</c>, in one transaction.</summary>
    private async Task<int> CopySkippingDuplicatesAsync(List<SignalHistoryRow> rows, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, CreateStagingSql, cancellationToken);
        await ImportAsync(connection, CopyToStagingSql, rows, cancellationToken);
        var inserted = await ExecuteAsync(connection, transaction, InsertFromStagingSql, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return inserted;
    }

    private async Task ImportAsync(NpgsqlConnection connection, string copySql, List<SignalHistoryRow> rows, CancellationToken cancellationToken)
    {
        await using var importer = await connection.BeginBinaryImportAsync(copySql, cancellationToken);
        importer.Timeout = _options.CommandTimeout;
        foreach (var row in rows)
        {
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(row.Vin, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(row.Signal, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(row.Ts.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
            await WriteValueAsync(importer, row.Value, cancellationToken);
        }

        await importer.CompleteAsync(cancellationToken);
    }

    private async Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction)
        {
            CommandTimeout = (int)Math.Ceiling(_options.CommandTimeout.TotalSeconds),
        };
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task WriteValueAsync(NpgsqlBinaryImporter importer, SignalValue value, CancellationToken cancellationToken)
    {
        switch (value.Kind)
        {
            case SignalKind.Number:
                await importer.WriteAsync(value.Number, NpgsqlDbType.Double, cancellationToken);
                await importer.WriteNullAsync(cancellationToken);
                await importer.WriteNullAsync(cancellationToken);
                break;
            case SignalKind.Boolean:
                await importer.WriteNullAsync(cancellationToken);
                await importer.WriteAsync(value.AsBoolean, NpgsqlDbType.Boolean, cancellationToken);
                await importer.WriteNullAsync(cancellationToken);
                break;
            default:
                await importer.WriteNullAsync(cancellationToken);
                await importer.WriteNullAsync(cancellationToken);
                await importer.WriteAsync(value.Text ?? string.Empty, NpgsqlDbType.Text, cancellationToken);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "History sample {Signal} of {Vin} dropped: {Limit} samples already wait for PostgreSQL (Persistence:MaxPendingHistoryRows); {Dropped} dropped so far")]
    private static partial void LogDropped(ILogger logger, string vin, string signal, int limit, long dropped);

    [LoggerMessage(Level = LogLevel.Error, Message = "History sample {Signal} of {Vin} refused by PostgreSQL and dropped: {Error}")]
    private static partial void LogRejected(ILogger logger, Exception exception, string vin, string signal, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Duplicates} of {Count} history samples were already stored (a replay or a retried write) and were skipped")]
    private static partial void LogDuplicatesSkipped(ILogger logger, int duplicates, int count);
}
