using DigitalTwin.Persistence.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DigitalTwin.Persistence.History;

/// <summary>
/// Keeps <c>signal_history</c> within <c>Persistence:HistoryRetention</c> and its partitions ahead of the clock: creates
/// the partitions missing at start-up (<see cref="SignalHistoryPartitions.EnsureAsync"/>), then every
/// <c>Persistence:HistoryCleanupInterval</c> creates those missing again and removes expired samples.
/// <para>
/// A partition wholly older than the retention is dropped. One that straddles the cutoff is kept whole until it has
/// expired entirely: deleting the expired part of a day's partition every hour would cost the same row-by-row DELETE
/// (and VACUUM) that partitioning exists to avoid, so samples live between the retention and the retention plus one
/// partition interval. The default partition (car clocks far off) and the partition migration 0011 made of the old
/// table are not of one interval; expired samples are deleted from those row by row, in slices as before.
/// </para>
/// </summary>
public sealed partial class SignalHistoryRetention(
    [FromKeyedServices(PersistenceExtensions.DataSourceKey)] NpgsqlDataSource dataSource,
    SignalHistoryPartitions partitions,
    IOptions<PostgresPersistenceOptions> options,
    PersistenceMetrics metrics,
    ILogger<SignalHistoryRetention> logger,
    TimeProvider? timeProvider = null) : BackgroundService
{
    private const int RowsPerStatement = 10_000;

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>Creates the partitions missing around now, then removes expired samples.</summary>
    /// <returns>How many samples were removed (see <see cref="DeleteExpiredAsync"/>).</returns>
    public async Task<long> RunOnceAsync(CancellationToken cancellationToken)
    {
        await partitions.EnsureAsync(_time.GetUtcNow(), cancellationToken);
        return await DeleteExpiredAsync(cancellationToken);
    }

    /// <summary>
    /// Drops the partitions wholly older than the retention, measured from now, and deletes expired samples from the
    /// default and the migrated partition.
    /// </summary>
    /// <returns>
    /// How many samples were removed; for a dropped partition larger than 64 MB this is PostgreSQL's estimate of its row
    /// count, since counting it exactly would read all of it.
    /// </returns>
    public async Task<long> DeleteExpiredAsync(CancellationToken cancellationToken)
    {
        var cutoff = _time.GetUtcNow() - options.Value.HistoryRetention;
        var interval = options.Value.HistoryPartitionInterval;
        long removed = 0;
        foreach (var partition in await partitions.ListAsync(cancellationToken))
        {
            long expired;
            if (partition.Upper is { } upper && upper <= cutoff)
            {
                expired = await partitions.DropAsync(partition, cancellationToken);
            }
            else if (partition.IsDefault || (partition.Lower is not { } lower) || (partition.Upper is { } end && end - lower > interval && lower < cutoff))
            {
                expired = await DeleteRowsAsync(partition.Name, cutoff, cancellationToken);
            }
            else
            {
                continue;
            }

            metrics.HistoryExpired(expired);
            removed += expired;
        }

        return removed;
    }

    /// <summary>
    /// Deletes one partition's samples older than the cutoff, in slices: each transaction stays short (no long row locks,
    /// no burst of WAL), and a silo that stops halfway has still made progress.
    /// </summary>
    private async Task<long> DeleteRowsAsync(string partition, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        // ctid identifies a row within one table only, hence one partition at a time.
        var name = SignalHistoryPartitions.Quote(partition);
        var sql = $"DELETE FROM {name} WHERE ctid = ANY (ARRAY (SELECT ctid FROM {name} WHERE ts < $1 LIMIT $2))";
        long deleted = 0;
        while (true)
        {
            await using var command = dataSource.CreateCommand(sql);
            command.CommandTimeout = (int)Math.Ceiling(options.Value.CommandTimeout.TotalSeconds);
            command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = cutoff.UtcDateTime });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = RowsPerStatement });
            var slice = await command.ExecuteNonQueryAsync(cancellationToken);
            deleted += slice;
            if (slice < RowsPerStatement)
            {
                return deleted;
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Partitions are created at once, so that a fresh database has today's before the first samples. Expiry waits a
        // whole interval, as it always has: a silo that starts must not delete history the moment it comes up (a
        // replay of old data, a test fleet stamped in the past, a clock set wrong), only an hour later.
        try
        {
            await partitions.EnsureAsync(_time.GetUtcNow(), stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            // Samples go to the default partition meanwhile; the next round creates the partitions and moves them.
            LogFailed(logger, ex, ex.Message);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Value.HistoryCleanupInterval, _time, stoppingToken);
                var removed = await RunOnceAsync(stoppingToken);
                if (removed > 0)
                {
                    LogDeleted(logger, removed, options.Value.HistoryRetention);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Nothing is lost by deleting later, and samples without a partition go to the default one meanwhile;
                // the next round catches up.
                LogFailed(logger, ex, ex.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} signal history samples older than {Retention}")]
    private static partial void LogDeleted(ILogger logger, long count, TimeSpan retention);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Signal history partitioning or retention failed, will retry next round: {Error}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string error);
}
