using DigitalTwin.Grains.Storage;
using DigitalTwin.Persistence.Diagnostics;
using DigitalTwin.Persistence.WriteBehind;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Persistence.Snapshots;

/// <summary>
/// Writes the pending snapshots every <c>Persistence:FlushInterval</c>, backs off while PostgreSQL fails, and writes
/// everything that is left when the host stops (after the silo has deactivated its grains, see
/// <see cref="PersistenceExtensions.AddPostgresStorage"/>).
/// </summary>
public sealed class SnapshotFlusher(
    PostgresTwinSnapshotStore store,
    IOptions<PersistenceOptions> persistenceOptions,
    IOptions<PostgresPersistenceOptions> postgresOptions,
    PersistenceMetrics metrics,
    PersistenceHealth health,
    BulkWriteGate gate,
    ILogger<SnapshotFlusher> logger,
    TimeProvider? timeProvider = null)
    : WriteBehindService(ComponentName, health, gate, logger, timeProvider)
{
    public const string ComponentName = "snapshots";

    public override int PendingCount => store.PendingCount;

    protected override TimeSpan Interval => persistenceOptions.Value.FlushInterval;

    protected override TimeSpan MaxRetryDelay => postgresOptions.Value.MaxRetryDelay;

    private SnapshotPass? _prepared;

    /// <summary>Outside the gate: the pass waits for the history writer, which needs the gate to catch up.</summary>
    protected override async Task BeforeWriteAsync(CancellationToken cancellationToken) =>
        _prepared = await store.PreparePassAsync(cancellationToken);

    protected override async Task<bool> WriteOnceAsync(CancellationToken cancellationToken)
    {
        var pass = _prepared ?? await store.PreparePassAsync(cancellationToken);
        _prepared = null;
        await store.WritePassAsync(pass, cancellationToken);
        return false;
    }

    protected override Task PingAsync(CancellationToken cancellationToken) => store.PingAsync(cancellationToken);

    protected override int AbandonPending() => store.AbandonPending();

    protected override void CountFailure() => metrics.SnapshotFlushFailed();
}
