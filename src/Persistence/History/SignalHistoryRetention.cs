using DigitalTwin.Persistence.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DigitalTwin.Persistence.History;

/// <summary>Deletes signal history older than <c>Persistence:HistoryRetention</c> every <c>Persistence:HistoryCleanupInterval</c>.</summary>
public sealed partial class SignalHistoryRetention(
    [FromKeyedServices(PersistenceExtensions.DataSourceKey)] NpgsqlDataSource dataSource,
    IOptions<PostgresPersistenceOptions> options,
    PersistenceMetrics metrics,
    ILogger<SignalHistoryRetention> logger,
    TimeProvider? timeProvider = null) : BackgroundService
{
    private const int RowsPerStatement = 10_000;

    // Deleting in slices keeps each transaction short: no long row locks, no burst of WAL, and a silo that stops
    // halfway has still made progress. The BRIN index on ts finds the old pages.
    private const string DeleteSql =
        """
        DELETE FROM signal_history
        WHERE ctid = ANY (ARRAY (SELECT ctid FROM signal_history WHERE ts < $1 LIMIT $2))
        """;

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>Deletes every sample older than the retention, measured from now.</summary>
    /// <returns>How many samples were deleted.</returns>
    public async Task<long> DeleteExpiredAsync(CancellationToken cancellationToken)
    {
        var cutoff = _time.GetUtcNow() - options.Value.HistoryRetention;
        long deleted = 0;
        while (true)
        {
            await using var command = dataSource.CreateCommand(DeleteSql);
            command.CommandTimeout = (int)Math.Ceiling(options.Value.CommandTimeout.TotalSeconds);
            command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = cutoff.UtcDateTime });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = RowsPerStatement });
            var slice = await command.ExecuteNonQueryAsync(cancellationToken);
            deleted += slice;
            metrics.HistoryExpired(slice);
            if (slice < RowsPerStatement)
            {
                return deleted;
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Value.HistoryCleanupInterval, _time, stoppingToken);
                var deleted = await DeleteExpiredAsync(stoppingToken);
                if (deleted > 0)
                {
                    LogDeleted(logger, deleted, options.Value.HistoryRetention);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Nothing is lost by deleting later; the next round catches up.
                LogFailed(logger, ex, ex.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} signal history samples older than {Retention}")]
    private static partial void LogDeleted(ILogger logger, long count, TimeSpan retention);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting expired signal history failed, will retry next round: {Error}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string error);
}
