using System.Collections.Concurrent;
using System.Text.Json;
using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Grains.Storage;
using DigitalTwin.Persistence.Diagnostics;
using DigitalTwin.Persistence.WriteBehind;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace DigitalTwin.Persistence.Snapshots;

/// <summary>
/// Twin snapshots in <c>vehicle_snapshots</c>, written behind. <see cref="Stage"/> only replaces the vehicle's entry in
/// an in-memory map, so a car that changes ten times a second costs one row write per flush; <see cref="SnapshotFlusher"/>
/// writes the map with one multi-row upsert per batch. An entry leaves the map only once PostgreSQL has it (or has a
/// newer version), so a failed flush loses nothing and later stagings simply replace the kept entries.
/// </summary>
public sealed partial class PostgresTwinSnapshotStore : ITwinSnapshotStore
{
    private const string LoadSql =
        """
        SELECT signals::text, online, last_seen_at, last_telemetry_seq, last_event_seq, version
        FROM vehicle_snapshots
        WHERE vin = $1
        """;

    // unnest turns one array per column into rows: a whole batch is one statement and one round trip, with every
    // value a parameter. The WHERE on the conflict branch is the optimistic-concurrency guard; RETURNING names the
    // rows that were actually written, so the ones that lost can be told apart.
    private const string UpsertSql =
        """
        INSERT INTO vehicle_snapshots AS s
            (vin, signals, online, last_seen_at, last_telemetry_seq, last_event_seq, version, updated_at)
        SELECT u.vin, u.signals, u.online, u.last_seen_at, u.last_telemetry_seq, u.last_event_seq, u.version, now()
        FROM unnest($1::text[], $2::jsonb[], $3::boolean[], $4::timestamptz[], $5::bigint[], $6::bigint[], $7::bigint[])
            AS u(vin, signals, online, last_seen_at, last_telemetry_seq, last_event_seq, version)
        ON CONFLICT (vin) DO UPDATE
        SET signals = EXCLUDED.signals,
            online = EXCLUDED.online,
            last_seen_at = EXCLUDED.last_seen_at,
            last_telemetry_seq = EXCLUDED.last_telemetry_seq,
            last_event_seq = EXCLUDED.last_event_seq,
            version = EXCLUDED.version,
            updated_at = EXCLUDED.updated_at
        WHERE s.version < EXCLUDED.version
        RETURNING s.vin
        """;

    private const string StoredVersionsSql = "SELECT vin, version FROM vehicle_snapshots WHERE vin = ANY($1)";

    private readonly ConcurrentDictionary<string, TwinSnapshot> _pending = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresPersistenceOptions _options;
    private readonly PersistenceMetrics _metrics;
    private readonly IStaleSnapshotObserver[] _observers;
    private readonly BulkWriteGate? _gate;
    private readonly ISignalHistoryWriter? _history;
    private readonly ILogger _logger;
    private int _pendingCount;

    // Passes are numbered under the write lock; waiters for durability wake when one succeeds.
    private long _passesStarted;
    private long _lastPassSucceeded;
    private TaskCompletionSource _passSucceeded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PostgresTwinSnapshotStore(
        [FromKeyedServices(PersistenceExtensions.DataSourceKey)] NpgsqlDataSource dataSource,
        IOptions<PostgresPersistenceOptions> options,
        PersistenceMetrics metrics,
        ILogger<PostgresTwinSnapshotStore> logger,
        IEnumerable<IStaleSnapshotObserver>? observers = null,
        BulkWriteGate? gate = null,
        ISignalHistoryWriter? history = null)
    {
        _history = history;
        _dataSource = dataSource;
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
        _observers = observers?.ToArray() ?? [];
        _gate = gate;
    }

    /// <summary>Vehicles whose latest snapshot is not in PostgreSQL yet.</summary>
    public int PendingCount => Volatile.Read(ref _pendingCount);

    public async ValueTask<TwinSnapshot?> LoadAsync(string vin, CancellationToken cancellationToken)
    {
        // A snapshot still waiting here is newer than the row: a twin that deactivates and comes straight back must
        // continue from it, not from what the last flush wrote.
        if (_pending.TryGetValue(vin, out var pending))
        {
            return pending;
        }

        await using var command = _dataSource.CreateCommand(LoadSql);
        command.CommandTimeout = CommandTimeoutSeconds;
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = vin });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new TwinSnapshot
        {
            Vin = vin,
            Signals = SignalMapJson.Deserialize(reader.GetString(0)),
            Online = reader.GetBoolean(1),
            LastSeenAt = reader.IsDBNull(2) ? null : new DateTimeOffset(reader.GetFieldValue<DateTime>(2), TimeSpan.Zero),
            LastTelemetrySeq = reader.GetInt64(3),
            LastEventSeq = reader.GetInt64(4),
            Version = reader.GetInt64(5),
        };
    }

    public bool Stage(TwinSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        _metrics.SnapshotStaged();
        while (true)
        {
            if (_pending.TryGetValue(snapshot.Vin, out var waiting))
            {
                if (waiting.Version >= snapshot.Version)
                {
                    return true;
                }

                if (_pending.TryUpdate(snapshot.Vin, snapshot, waiting))
                {
                    _metrics.SnapshotCoalesced();
                    return true;
                }

                continue;
            }

            // Reserve the slot before adding so that concurrent stagings cannot overshoot the bound together.
            if (Interlocked.Increment(ref _pendingCount) > _options.MaxPendingSnapshots)
            {
                Interlocked.Decrement(ref _pendingCount);
                var dropped = _metrics.SnapshotDropped();
                if (dropped == 1 || dropped % 10_000 == 0)
                {
                    LogDropped(_logger, snapshot.Vin, snapshot.Version, _options.MaxPendingSnapshots, dropped);
                }

                return false;
            }

            if (_pending.TryAdd(snapshot.Vin, snapshot))
            {
                return true;
            }

            Interlocked.Decrement(ref _pendingCount);
        }
    }

    /// <summary>
    /// A pass writes every snapshot that was pending when it was prepared, so the first pass numbered after the call to
    /// succeed has written what the vehicle staged before it, or a newer snapshot (or found it refused as data or stale,
    /// both counted and logged).
    /// </summary>
    public async ValueTask WhenWrittenAsync(string vin, CancellationToken cancellationToken)
    {
        if (!_pending.ContainsKey(vin))
        {
            return;
        }

        var needed = Volatile.Read(ref _passesStarted) + 1;
        while (Volatile.Read(ref _lastPassSucceeded) < needed)
        {
            var next = Volatile.Read(ref _passSucceeded);
            if (Volatile.Read(ref _lastPassSucceeded) >= needed)
            {
                break;
            }

            await next.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Writes every pending snapshot, in batches of <see cref="PostgresPersistenceOptions.SnapshotBatchSize"/>. Throws if
    /// PostgreSQL cannot be reached; what was not written stays pending. Rows PostgreSQL refuses as data are dropped
    /// and counted so that one bad value cannot block every other vehicle.
    /// </summary>
    public async Task WritePendingAsync(CancellationToken cancellationToken) =>
        await WritePassAsync(await PreparePassAsync(cancellationToken), cancellationToken);

    /// <summary>
    /// Takes the snapshots pending now and waits until the signal history they cover is stored. History first: a stored
    /// snapshot must never claim a seq whose samples are not stored, or a replay after a crash (a Kafka consumer's, a
    /// car's) would be refused by the seq rule and those samples would be lost. Each of these snapshots was staged
    /// after the history of what it covers was appended.
    /// </summary>
    public async Task<SnapshotPass> PreparePassAsync(CancellationToken cancellationToken)
    {
        var number = Interlocked.Increment(ref _passesStarted);
        var snapshots = _pending.Values.ToArray();
        if (_history is not null)
        {
            await _history.WhenWrittenAsync(cancellationToken);
        }

        return new SnapshotPass(number, snapshots);
    }

    /// <summary>Writes the snapshots of a prepared pass; newer ones staged since wait for the next pass.</summary>
    public async Task WritePassAsync(SnapshotPass pass, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pass);
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await WriteAsync(pass.Snapshots, cancellationToken);
            if (pass.Number > Volatile.Read(ref _lastPassSucceeded))
            {
                Volatile.Write(ref _lastPassSucceeded, pass.Number);
            }

            Interlocked.Exchange(ref _passSucceeded, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Writes the snapshots in batches, <see cref="PostgresPersistenceOptions.SnapshotWriteConnections"/> statements at a
    /// time. Batches hold distinct vehicles, so concurrent ones never wait for each other's rows; while one statement
    /// waits for PostgreSQL (parsing jsonb, updating rows, the commit's fsync) another batch's JSON is being built or
    /// sent. Each batch is serialized only when a writer takes it, so memory holds a few batches' JSON, not a pass's.
    /// After a failure no further batch starts; the ones already written stay written and leave the pending map.
    /// </summary>
    private async Task WriteAsync(TwinSnapshot[] snapshots, CancellationToken cancellationToken)
    {
        var batchSize = _options.SnapshotBatchSize;
        var batches = (snapshots.Length + batchSize - 1) / batchSize;
        var taken = -1;
        var failed = 0;

        async Task WriteBatchesAsync(bool concurrently)
        {
            if (concurrently)
            {
                // Off the caller's thread at once, so that writers serialize their first batches in parallel too.
                await Task.Yield();
            }

            int index;
            while (Volatile.Read(ref failed) == 0 && (index = Interlocked.Increment(ref taken)) < batches)
            {
                var first = index * batchSize;
                var end = Math.Min(first + batchSize, snapshots.Length);
                var batch = new List<SnapshotRow>(end - first);
                for (var i = first; i < end; i++)
                {
                    if (ToRow(snapshots[i]) is { } row)
                    {
                        batch.Add(row);
                    }
                }

                if (batch.Count == 0)
                {
                    continue;
                }

                try
                {
                    await WriteNextBatchAsync(batch, index, cancellationToken);
                }
                catch
                {
                    Volatile.Write(ref failed, 1);
                    throw;
                }
            }
        }

        var writers = Math.Min(_options.SnapshotWriteConnections, batches);
        if (writers <= 1)
        {
            await WriteBatchesAsync(concurrently: false);
            return;
        }

        await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => WriteBatchesAsync(concurrently: true)));
    }

    internal Task PingAsync(CancellationToken cancellationToken) =>
        _dataSource.PingAsync(_options.CommandTimeout, cancellationToken);

    /// <summary>Forgets everything pending and counts it as dropped; for a shutdown that has run out of time.</summary>
    internal int AbandonPending()
    {
        var abandoned = 0;
        foreach (var entry in _pending)
        {
            if (Forget(entry.Value))
            {
                abandoned++;
            }
        }

        _metrics.SnapshotDropped(abandoned);
        return abandoned;
    }

    private int CommandTimeoutSeconds => (int)Math.Ceiling(_options.CommandTimeout.TotalSeconds);

    /// <summary>A crash alert being stored goes before every batch but the first, which the gate already let go.</summary>
    private async Task WriteNextBatchAsync(List<SnapshotRow> batch, int alreadyWritten, CancellationToken cancellationToken)
    {
        if (alreadyWritten > 0 && _gate is not null)
        {
            await _gate.YieldAsync(cancellationToken);
        }

        await WriteBatchAsync(batch, cancellationToken);
    }

    private SnapshotRow? ToRow(TwinSnapshot snapshot)
    {
        try
        {
            return new SnapshotRow(snapshot, SignalMapJson.Serialize(snapshot.Signals));
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or JsonException)
        {
            // Serializing one twin involves no I/O: whatever fails here fails for this snapshot alone, every time.
            Reject(snapshot, ex);
            return null;
        }
    }

    private async Task WriteBatchAsync(List<SnapshotRow> rows, CancellationToken cancellationToken)
    {
        HashSet<string> written;
        try
        {
            written = await UpsertAsync(rows, cancellationToken);
        }
        catch (Exception ex) when (WriteErrors.IsCausedByData(ex) && !cancellationToken.IsCancellationRequested)
        {
            if (rows.Count == 1)
            {
                Reject(rows[0].Snapshot, ex);
                return;
            }

            // Halving finds the refused rows in a few statements and still writes every good row.
            var half = rows.Count / 2;
            await WriteBatchAsync(rows.GetRange(0, half), cancellationToken);
            await WriteBatchAsync(rows.GetRange(half, rows.Count - half), cancellationToken);
            return;
        }

        List<TwinSnapshot>? notWritten = null;
        foreach (var row in rows)
        {
            if (written.Contains(row.Snapshot.Vin))
            {
                Forget(row.Snapshot);
            }
            else
            {
                (notWritten ??= []).Add(row.Snapshot);
            }
        }

        if (notWritten is not null)
        {
            await SettleRefusedAsync(notWritten, cancellationToken);
        }
    }

    private async Task<HashSet<string>> UpsertAsync(List<SnapshotRow> rows, CancellationToken cancellationToken)
    {
        var count = rows.Count;
        var vins = new string[count];
        var signals = new string[count];
        var online = new bool[count];
        var lastSeen = new DateTime?[count];
        var telemetrySeq = new long[count];
        var eventSeq = new long[count];
        var versions = new long[count];
        for (var i = 0; i < count; i++)
        {
            var snapshot = rows[i].Snapshot;
            vins[i] = snapshot.Vin;
            signals[i] = rows[i].SignalsJson;
            online[i] = snapshot.Online;
            lastSeen[i] = snapshot.LastSeenAt?.UtcDateTime;
            telemetrySeq[i] = snapshot.LastTelemetrySeq;
            eventSeq[i] = snapshot.LastEventSeq;
            versions[i] = snapshot.Version;
        }

        await using var command = _dataSource.CreateCommand(UpsertSql);
        command.CommandTimeout = CommandTimeoutSeconds;
        command.Parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = vins });
        command.Parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb, TypedValue = signals });
        command.Parameters.Add(new NpgsqlParameter<bool[]> { TypedValue = online });
        command.Parameters.Add(new NpgsqlParameter<DateTime?[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, TypedValue = lastSeen });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = telemetrySeq });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = eventSeq });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = versions });

        var written = new HashSet<string>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                written.Add(reader.GetString(0));
            }
        }

        _metrics.SnapshotStatementSucceeded(written.Count);
        return written;
    }

    /// <summary>Decides about rows the guard refused: another activation's newer write, or our own write retried.</summary>
    private async Task SettleRefusedAsync(List<TwinSnapshot> refused, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(StoredVersionsSql);
        command.CommandTimeout = CommandTimeoutSeconds;
        command.Parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = refused.Select(s => s.Vin).ToArray() });
        var stored = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                stored[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        foreach (var snapshot in refused)
        {
            if (!stored.TryGetValue(snapshot.Vin, out var storedVersion))
            {
                // Deleted behind our back since the upsert; the next flush inserts it again.
                continue;
            }

            if (storedVersion == snapshot.Version)
            {
                // A retry of a write that committed although its acknowledgement was lost: nothing to report.
                Forget(snapshot);
                continue;
            }

            Forget(snapshot);
            _metrics.SnapshotStale();
            LogStale(_logger, snapshot.Vin, snapshot.Version, storedVersion);
            var stale = new StaleSnapshot(snapshot.Vin, snapshot.Version, storedVersion);
            foreach (var observer in _observers)
            {
                try
                {
                    observer.OnStaleSnapshot(stale);
                }
                catch (Exception ex)
                {
                    LogObserverFailed(_logger, ex, snapshot.Vin);
                }
            }
        }
    }

    private void Reject(TwinSnapshot snapshot, Exception error)
    {
        if (Forget(snapshot))
        {
            _metrics.SnapshotRejected();
            LogRejected(_logger, error, snapshot.Vin, snapshot.Version, error.Message);
        }
    }

    /// <summary>Removes the entry only if it is still this snapshot; a newer staging stays for the next flush.</summary>
    private bool Forget(TwinSnapshot snapshot)
    {
        if (_pending.TryRemove(new KeyValuePair<string, TwinSnapshot>(snapshot.Vin, snapshot)))
        {
            Interlocked.Decrement(ref _pendingCount);
            return true;
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Snapshot of {Vin} (version {Version}) dropped: {Limit} vehicles already wait for PostgreSQL (Persistence:MaxPendingSnapshots); {Dropped} dropped so far")]
    private static partial void LogDropped(ILogger logger, string vin, long version, int limit, long dropped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Snapshot of {Vin} version {StagedVersion} not written: PostgreSQL holds version {StoredVersion} from another activation; this activation is stale and should reload")]
    private static partial void LogStale(ILogger logger, string vin, long stagedVersion, long storedVersion);

    [LoggerMessage(Level = LogLevel.Error, Message = "Snapshot of {Vin} (version {Version}) refused by PostgreSQL and dropped: {Error}")]
    private static partial void LogRejected(ILogger logger, Exception exception, string vin, long version, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "A stale-snapshot observer failed for {Vin}")]
    private static partial void LogObserverFailed(ILogger logger, Exception exception, string vin);
}

/// <param name="Number">Passes are numbered as they are prepared; waiters for durability compare numbers.</param>
public sealed record SnapshotPass(long Number, TwinSnapshot[] Snapshots);
