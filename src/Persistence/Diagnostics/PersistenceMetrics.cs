using System.Diagnostics.Metrics;

namespace DigitalTwin.Persistence.Diagnostics;

/// <summary>
/// Counters of the persistence layer. Readable directly (tests, health text) and exported as observable
/// instruments of the <see cref="MeterName"/> meter, so nothing that is dropped or refused goes unseen.
/// </summary>
public sealed class PersistenceMetrics
{
    public const string MeterName = "DigitalTwin.Persistence";

    private long _snapshotsStaged;
    private long _snapshotsCoalesced;
    private long _snapshotRowsWritten;
    private long _snapshotStatements;
    private long _snapshotFlushFailures;
    private long _snapshotsStale;
    private long _snapshotsDropped;
    private long _snapshotsRejected;
    private long _historyRowsAppended;
    private long _historyRowsWritten;
    private long _historyWriteFailures;
    private long _historyRowsDropped;
    private long _historyRowsRejected;
    private long _historyRowsExpired;
    private long _historyRowsSkippedAsDuplicates;

    public PersistenceMetrics(IMeterFactory? meterFactory = null)
    {
        if (meterFactory is null)
        {
            return;
        }

        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableCounter("digitaltwin.persistence.snapshots.staged", () => SnapshotsStaged, "{snapshot}", "Snapshots handed to the store");
        meter.CreateObservableCounter("digitaltwin.persistence.snapshots.coalesced", () => SnapshotsCoalesced, "{snapshot}", "Snapshots replaced by a newer one before they were written");
        meter.CreateObservableCounter("digitaltwin.persistence.snapshots.written", () => SnapshotRowsWritten, "{row}", "Snapshot rows inserted or updated");
        meter.CreateObservableCounter("digitaltwin.persistence.snapshots.statements", () => SnapshotStatements, "{statement}", "Upsert statements that succeeded");
        meter.CreateObservableCounter("digitaltwin.persistence.snapshots.flush_failures", () => SnapshotFlushFailures, "{failure}", "Flushes that failed and will be retried");
        meter.CreateObservableCounter("digitaltwin.persistence.snapshots.stale", () => SnapshotsStale, "{snapshot}", "Snapshots refused because the database holds a newer version");
        meter.CreateObservableCounter("digitaltwin.persistence.snapshots.dropped", () => SnapshotsDropped, "{snapshot}", "Snapshots dropped because Persistence:MaxPendingSnapshots was reached or shutdown ran out of time");
        meter.CreateObservableCounter("digitaltwin.persistence.snapshots.rejected", () => SnapshotsRejected, "{snapshot}", "Snapshots PostgreSQL cannot store (for example a NUL character)");
        meter.CreateObservableCounter("digitaltwin.persistence.history.appended", () => HistoryRowsAppended, "{sample}", "Signal samples accepted for history");
        meter.CreateObservableCounter("digitaltwin.persistence.history.written", () => HistoryRowsWritten, "{sample}", "Signal samples in PostgreSQL after a write, counting those it already held");
        meter.CreateObservableCounter("digitaltwin.persistence.history.duplicates", () => HistoryRowsSkippedAsDuplicates, "{sample}", "Samples written again (a replay or a retried write) that PostgreSQL already held and were skipped; included in written");
        meter.CreateObservableCounter("digitaltwin.persistence.history.write_failures", () => HistoryWriteFailures, "{failure}", "History writes that failed and will be retried");
        meter.CreateObservableCounter("digitaltwin.persistence.history.dropped", () => HistoryRowsDropped, "{sample}", "Samples dropped because Persistence:MaxPendingHistoryRows was reached or shutdown ran out of time");
        meter.CreateObservableCounter("digitaltwin.persistence.history.rejected", () => HistoryRowsRejected, "{sample}", "Samples PostgreSQL cannot store");
        meter.CreateObservableCounter("digitaltwin.persistence.history.expired", () => HistoryRowsExpired, "{sample}", "Samples deleted by retention");
    }

    public long SnapshotsStaged => Volatile.Read(ref _snapshotsStaged);

    public long SnapshotsCoalesced => Volatile.Read(ref _snapshotsCoalesced);

    public long SnapshotRowsWritten => Volatile.Read(ref _snapshotRowsWritten);

    public long SnapshotStatements => Volatile.Read(ref _snapshotStatements);

    public long SnapshotFlushFailures => Volatile.Read(ref _snapshotFlushFailures);

    public long SnapshotsStale => Volatile.Read(ref _snapshotsStale);

    public long SnapshotsDropped => Volatile.Read(ref _snapshotsDropped);

    public long SnapshotsRejected => Volatile.Read(ref _snapshotsRejected);

    public long HistoryRowsAppended => Volatile.Read(ref _historyRowsAppended);

    public long HistoryRowsWritten => Volatile.Read(ref _historyRowsWritten);

    public long HistoryWriteFailures => Volatile.Read(ref _historyWriteFailures);

    public long HistoryRowsDropped => Volatile.Read(ref _historyRowsDropped);

    public long HistoryRowsRejected => Volatile.Read(ref _historyRowsRejected);

    public long HistoryRowsExpired => Volatile.Read(ref _historyRowsExpired);

    /// <summary>Samples already held by PostgreSQL (same vehicle, signal and time) and not inserted again; part of <see cref="HistoryRowsWritten"/>.</summary>
    public long HistoryRowsSkippedAsDuplicates => Volatile.Read(ref _historyRowsSkippedAsDuplicates);

    internal void SnapshotStaged() => Interlocked.Increment(ref _snapshotsStaged);

    internal void SnapshotCoalesced() => Interlocked.Increment(ref _snapshotsCoalesced);

    internal void SnapshotStatementSucceeded(int rowsWritten)
    {
        Interlocked.Increment(ref _snapshotStatements);
        Interlocked.Add(ref _snapshotRowsWritten, rowsWritten);
    }

    internal void SnapshotFlushFailed() => Interlocked.Increment(ref _snapshotFlushFailures);

    internal void SnapshotStale() => Interlocked.Increment(ref _snapshotsStale);

    internal long SnapshotDropped(long count = 1) => Interlocked.Add(ref _snapshotsDropped, count);

    internal void SnapshotRejected() => Interlocked.Increment(ref _snapshotsRejected);

    internal void HistoryAppended() => Interlocked.Increment(ref _historyRowsAppended);

    internal void HistoryWritten(int rows) => Interlocked.Add(ref _historyRowsWritten, rows);

    internal void HistoryWriteFailed() => Interlocked.Increment(ref _historyWriteFailures);

    internal long HistoryDropped(long count = 1) => Interlocked.Add(ref _historyRowsDropped, count);

    internal void HistoryRejected() => Interlocked.Increment(ref _historyRowsRejected);

    internal void HistoryExpired(long rows) => Interlocked.Add(ref _historyRowsExpired, rows);

    internal void HistorySkippedAsDuplicates(int rows) => Interlocked.Add(ref _historyRowsSkippedAsDuplicates, rows);
}
