using System.ComponentModel.DataAnnotations;

namespace DigitalTwin.Persistence;

/// <summary>
/// The PostgreSQL-specific keys of the <c>Persistence</c> section. <c>Persistence:FlushInterval</c> is shared with the
/// grains and lives in <see cref="DigitalTwin.Grains.Storage.PersistenceOptions"/>.
/// </summary>
public sealed class PostgresPersistenceOptions
{
    /// <summary>The configuration key of <see cref="HistoryPartitionInterval"/>, for messages that name it.</summary>
    public const string HistoryPartitionIntervalKey = SectionName + ":" + nameof(HistoryPartitionInterval);

    public const string SectionName = "Persistence";

    /// <summary>
    /// The documented bound of the write-behind buffer, in vehicles: snapshots of at most this many distinct VINs wait
    /// for PostgreSQL. Beyond it, a snapshot of a further vehicle is dropped and counted; vehicles already waiting keep
    /// coalescing to their latest state, which costs no extra memory.
    /// </summary>
    [Range(1, 100_000_000, ErrorMessage = "Persistence:MaxPendingSnapshots must be between 1 and 100000000")]
    public int MaxPendingSnapshots { get; set; } = 1_000_000;

    /// <summary>
    /// Rows per upsert statement; larger flushes are split so one statement stays well under a second, and a crash
    /// alert being stored holds back the next batch (see <see cref="WriteBehind.BulkWriteGate"/>). Smaller batches
    /// (500) measured worse in the crash benchmark: more statements cost more than the shorter overlap saved.
    /// </summary>
    [Range(1, 100_000, ErrorMessage = "Persistence:SnapshotBatchSize must be between 1 and 100000")]
    public int SnapshotBatchSize { get; set; } = 5_000;

    /// <summary>
    /// Snapshot upsert statements in flight at once during a flush, each on its own connection: while one waits for
    /// PostgreSQL, the next batch is serialized and sent. 1 writes batch after batch.
    /// </summary>
    [Range(1, 16, ErrorMessage = "Persistence:SnapshotWriteConnections must be between 1 and 16")]
    public int SnapshotWriteConnections { get; set; } = 2;

    /// <summary>Ceiling of the exponential back-off between failed writes.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00", ErrorMessage = "Persistence:MaxRetryDelay must be between 10 ms and 10 minutes")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one statement may run before it counts as a failure and is retried.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "Persistence:CommandTimeout must be between 1 second and 10 minutes")]
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long start-up keeps retrying to reach PostgreSQL and migrate the schema before the silo gives up.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "Persistence:StartupTimeout must be between 1 second and 1 hour")]
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Signal history older than this is deleted: a partition once all of it is older (so a sample is kept for up to one
    /// <see cref="HistoryPartitionInterval"/> longer), the default partition and the one migration 0011 made of the old
    /// table row by row.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00", ErrorMessage = "Persistence:HistoryRetention must be between 1 minute and 3650 days")]
    public TimeSpan HistoryRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often expired signal history is deleted and partitions ahead are created.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Persistence:HistoryCleanupInterval must be between 1 second and 1 day")]
    public TimeSpan HistoryCleanupInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The documented bound of the history buffer, in samples. Once 95% of it wait, telemetry waits too (up to
    /// <c>Persistence:BackpressureTimeout</c>, then the car is told to send it again), so an acknowledged sample is never
    /// dropped and an outage costs neither history nor the silo's memory. Samples beyond the bound itself would be
    /// dropped and counted; the last twentieth is headroom so that this does not happen.
    /// </summary>
    [Range(1, 100_000_000, ErrorMessage = "Persistence:MaxPendingHistoryRows must be between 1 and 100000000")]
    public int MaxPendingHistoryRows { get; set; } = 1_000_000;

    /// <summary>Samples per binary COPY.</summary>
    [Range(1, 1_000_000, ErrorMessage = "Persistence:HistoryBatchSize must be between 1 and 1000000")]
    public int HistoryBatchSize { get; set; } = 10_000;

    /// <summary>
    /// The time range of one <c>signal_history</c> partition, counted from 1970-01-01 UTC: whole hours that divide a day
    /// (1, 2, 3, 4, 6, 8, 12 h) or whole days, up to 31. Changing it takes effect for partitions not created yet.
    /// </summary>
    [CustomValidation(typeof(PostgresPersistenceOptions), nameof(ValidateHistoryPartitionInterval))]
    public TimeSpan HistoryPartitionInterval { get; set; } = TimeSpan.FromDays(1);

    public static ValidationResult? ValidateHistoryPartitionInterval(TimeSpan interval, ValidationContext context)
    {
        var day = TimeSpan.FromDays(1);
        var wholeHours = interval.Ticks % TimeSpan.TicksPerHour == 0;
        var fits = interval >= TimeSpan.FromHours(1) && interval <= TimeSpan.FromDays(31)
            && (day.Ticks % interval.Ticks == 0 || interval.Ticks % day.Ticks == 0);
        return wholeHours && fits
            ? ValidationResult.Success
            : new ValidationResult(
                $"{HistoryPartitionIntervalKey} must be whole hours that divide a day (1, 2, 3, 4, 6, 8 or 12 h) or whole days up to 31; got {interval}",
                [context?.MemberName ?? nameof(HistoryPartitionInterval)]);
    }
}
