using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DigitalTwin.Persistence.History;

/// <summary>One partition of <c>signal_history</c> and its range of <c>ts</c>, lower bound included, upper excluded.</summary>
/// <param name="Lower">Null for MINVALUE (the partition migration 0011 made of the old table) or the default partition.</param>
/// <param name="Upper">Null for MAXVALUE or the default partition.</param>
/// <param name="Bytes">The size of its table, without indexes.</param>
public sealed record SignalHistoryPartition(string Name, bool IsDefault, DateTimeOffset? Lower, DateTimeOffset? Upper, long Bytes)
{
    public bool Covers(DateTimeOffset instant) =>
        !IsDefault && (Lower is null || Lower <= instant) && (Upper is null || instant < Upper);
}

/// <summary>
/// Keeps <c>signal_history</c> partitioned: one partition per <c>Persistence:HistoryPartitionInterval</c> (counted from
/// 1970-01-01 UTC) from the retention cutoff to at least <see cref="MinimumAhead"/> ahead, created before samples need
/// them, and drops whole partitions for retention.
/// <para>
/// Plain SQL rather than pg_partman: the whole job is a dozen statements a day, the extension would have to be installed
/// on every server (managed ones included) and run by its own scheduler, and its default-partition handling (moving
/// rows out when a partition is created) is the part that needs care here anyway.
/// </para>
/// <para>
/// Samples no partition covers go to the DEFAULT partition, so a car clock far off never makes a COPY fail (which would
/// stall a whole batch behind it). Creating a partition moves the rows it covers out of the default partition in the
/// same transaction; while it runs, history writes wait (a SHARE ROW EXCLUSIVE lock on the parent) so that none can
/// land in the default partition between the move and the attach, and queries do not wait.
/// </para>
/// </summary>
public sealed partial class SignalHistoryPartitions(
    [FromKeyedServices(PersistenceExtensions.DataSourceKey)] NpgsqlDataSource dataSource,
    IOptions<PostgresPersistenceOptions> options,
    ILogger<SignalHistoryPartitions> logger)
{
    public const string DefaultPartitionName = "signal_history_default";

    /// <summary>Partitions exist at least this far ahead of now, and at least two cleanup intervals ahead.</summary>
    public static readonly TimeSpan MinimumAhead = TimeSpan.FromDays(3);

    /// <summary>
    /// Taken by every silo that changes partitions, so that two silos starting together do not create the same one; a
    /// different key from the schema migrator's, which holds its own for the whole migration.
    /// </summary>
    private const long LockKey = 0x4454_4849_5354_5054; // "DTHISTPT"

    /// <summary>
    /// How long creating or dropping a partition waits for its lock. A long COPY or query holding the table would
    /// otherwise make every statement queued behind this one wait too; giving up costs nothing, the next round retries.
    /// </summary>
    private const string LockTimeout = "5s";

    // Bounds are read back as PostgreSQL prints them and cast in SQL, so their text format and the session's time zone
    // never have to be parsed here. MINVALUE, MAXVALUE and DEFAULT have no quoted value and come out NULL.
    private const string ListSql =
        """
        SELECT c.relname,
               b.bound = 'DEFAULT',
               (regexp_match(b.bound, 'FROM \(''([^'']+)''\)'))[1]::timestamptz,
               (regexp_match(b.bound, 'TO \(''([^'']+)''\)'))[1]::timestamptz,
               pg_relation_size(c.oid)
        FROM pg_inherits i
        JOIN pg_class c ON c.oid = i.inhrelid
        CROSS JOIN LATERAL (SELECT pg_get_expr(c.relpartbound, c.oid) AS bound) b
        WHERE i.inhparent = 'signal_history'::regclass
        """;

    private const string Columns = "vin, signal, ts, value_num, value_bool, value_text";

    /// <summary>Below this size a dropped partition's rows are counted exactly; above it the planner's estimate is used.</summary>
    private const long ExactCountBytes = 64L * 1024 * 1024;

    /// <summary>The partitions, ordered by lower bound (MINVALUE first, the default partition last).</summary>
    public async Task<IReadOnlyList<SignalHistoryPartition>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ListAsync(connection, null, cancellationToken);
    }

    /// <summary>
    /// Creates the partitions missing between the retention cutoff and <see cref="MinimumAhead"/> (or two cleanup
    /// intervals) past <paramref name="now"/>, each taking the rows it covers out of the default partition.
    /// </summary>
    /// <returns>The partitions created.</returns>
    public async Task<IReadOnlyList<SignalHistoryPartition>> EnsureAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var interval = settings.HistoryPartitionInterval;
        var ahead = TimeSpan.FromTicks(Math.Max(MinimumAhead.Ticks, 2 * settings.HistoryCleanupInterval.Ticks));
        var from = Floor(now - settings.HistoryRetention, interval);
        var to = Floor(now + ahead, interval) + interval;

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({LockKey})", cancellationToken);
        var missing = Gaps(await ListAsync(connection, transaction, cancellationToken), from, to, interval);
        if (missing.Count == 0)
        {
            await transaction.CommitAsync(cancellationToken);
            return [];
        }

        await ExecuteAsync(connection, transaction, $"SET LOCAL lock_timeout = '{LockTimeout}'", cancellationToken);
        await ExecuteAsync(connection, transaction, "LOCK TABLE signal_history IN SHARE ROW EXCLUSIVE MODE", cancellationToken);
        var created = new List<SignalHistoryPartition>();
        foreach (var (lower, upper) in missing)
        {
            var name = NameFor(lower);
            var (low, high) = (Literal(lower), Literal(upper));
            // LIKE copies the columns, NOT NULL and the CHECK under its own name, which ATTACH matches to the parent's;
            // ATTACH builds the partition's share of the unique index.
            await ExecuteAsync(connection, transaction, $"CREATE TABLE {name} (LIKE signal_history INCLUDING DEFAULTS INCLUDING CONSTRAINTS)", cancellationToken);
            var moved = await ExecuteAsync(
                connection,
                transaction,
                $"""
                WITH moved AS (DELETE FROM {DefaultPartitionName} WHERE ts >= {low} AND ts < {high} RETURNING {Columns})
                INSERT INTO {name} ({Columns}) SELECT {Columns} FROM moved
                """,
                cancellationToken);
            await ExecuteAsync(connection, transaction, $"ALTER TABLE signal_history ATTACH PARTITION {name} FOR VALUES FROM ({low}) TO ({high})", cancellationToken);
            created.Add(new SignalHistoryPartition(name, false, lower, upper, 0));
            LogCreated(logger, name, lower, upper, moved);
        }

        await transaction.CommitAsync(cancellationToken);
        return created;
    }

    /// <summary>Drops a partition, unless another silo has already.</summary>
    /// <returns>How many samples it held: exact for a small partition, PostgreSQL's estimate for a large one.</returns>
    public async Task<long> DropAsync(SignalHistoryPartition partition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partition);
        var name = Quote(partition.Name);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({LockKey})", cancellationToken);
        await using (var exists = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", connection, transaction))
        {
            exists.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
            if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken))!)
            {
                await transaction.CommitAsync(cancellationToken);
                return 0;
            }
        }

        // Counting a large partition would read it all, which is what dropping it saves; the estimate is kept current by
        // autovacuum's ANALYZE, which a partition that grew large has had.
        var countSql = partition.Bytes < ExactCountBytes
            ? $"SELECT count(*) FROM {name}"
            : $"SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = '{name}'::regclass";
        await using var count = new NpgsqlCommand(countSql, connection, transaction);
        var rows = (long)(await count.ExecuteScalarAsync(cancellationToken))!;

        // DROP takes an ACCESS EXCLUSIVE lock on the parent for a moment; the lock timeout bounds how long writes and
        // queries queue behind it if a long statement holds the table.
        await ExecuteAsync(connection, transaction, $"SET LOCAL lock_timeout = '{LockTimeout}'", cancellationToken);
        await ExecuteAsync(connection, transaction, $"DROP TABLE {name}", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogDropped(logger, partition.Name, partition.Upper, rows);
        return rows;
    }

    /// <summary>The start of the partition interval holding <paramref name="instant"/>, counted from the Unix epoch.</summary>
    public static DateTimeOffset Floor(DateTimeOffset instant, TimeSpan interval)
    {
        var sinceEpoch = instant.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var floored = sinceEpoch - (((sinceEpoch % interval.Ticks) + interval.Ticks) % interval.Ticks);
        return new DateTimeOffset(DateTimeOffset.UnixEpoch.UtcTicks + floored, TimeSpan.Zero);
    }

    /// <summary>
    /// The ranges in [<paramref name="from"/>, <paramref name="to"/>) that no partition covers, cut on the interval's
    /// boundaries and at existing partitions' bounds: a partition from another interval setting or the migrated table is
    /// never overlapped, only completed.
    /// </summary>
    internal static List<(DateTimeOffset Lower, DateTimeOffset Upper)> Gaps(
        IReadOnlyList<SignalHistoryPartition> existing, DateTimeOffset from, DateTimeOffset to, TimeSpan interval)
    {
        var ranges = existing.Where(p => !p.IsDefault).ToList();
        var gaps = new List<(DateTimeOffset, DateTimeOffset)>();
        var cursor = from;
        while (cursor < to)
        {
            var covering = ranges.FirstOrDefault(p => p.Covers(cursor));
            if (covering is not null)
            {
                if (covering.Upper is not { } upper)
                {
                    break;
                }

                cursor = upper;
                continue;
            }

            var end = Floor(cursor, interval) + interval;
            foreach (var partition in ranges)
            {
                if (partition.Lower is { } lower && lower > cursor && lower < end)
                {
                    end = lower;
                }
            }

            gaps.Add((cursor, end));
            cursor = end;
        }

        return gaps;
    }

    internal static string NameFor(DateTimeOffset lower)
    {
        var utc = lower.UtcDateTime;
        var format = utc.TimeOfDay == TimeSpan.Zero ? "yyyyMMdd" : utc.Second == 0 ? "yyyyMMdd_HHmm" : "yyyyMMdd_HHmmss";
        return "signal_history_p" + utc.ToString(format, CultureInfo.InvariantCulture);
    }

    internal static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Literal(DateTimeOffset instant) =>
        "'" + instant.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "+00'::timestamptz";

    private static async Task<List<SignalHistoryPartition>> ListAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(ListSql, connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var partitions = new List<SignalHistoryPartition>();
        while (await reader.ReadAsync(cancellationToken))
        {
            partitions.Add(new SignalHistoryPartition(
                reader.GetString(0),
                reader.GetBoolean(1),
                reader.IsDBNull(2) ? null : new DateTimeOffset(reader.GetFieldValue<DateTime>(2), TimeSpan.Zero),
                reader.IsDBNull(3) ? null : new DateTimeOffset(reader.GetFieldValue<DateTime>(3), TimeSpan.Zero),
                reader.GetInt64(4)));
        }

        return [.. partitions.OrderBy(p => p.IsDefault).ThenBy(p => p.Lower ?? DateTimeOffset.MinValue)];
    }

    private async Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction)
        {
            CommandTimeout = (int)Math.Ceiling(options.Value.CommandTimeout.TotalSeconds),
        };
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created signal history partition {Partition} for [{Lower:o}, {Upper:o}), moving {Moved} samples into it from the default partition")]
    private static partial void LogCreated(ILogger logger, string partition, DateTimeOffset lower, DateTimeOffset upper, int moved);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dropped signal history partition {Partition} (samples before {Upper:o}), about {Rows} samples")]
    private static partial void LogDropped(ILogger logger, string partition, DateTimeOffset? upper, long rows);
}
