using DigitalTwin.Grains.Storage;
using DigitalTwin.Persistence.Diagnostics;
using DigitalTwin.Persistence.WriteBehind;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Persistence.History;

/// <summary>Copies buffered history every <c>Persistence:FlushInterval</c>, without pause while a backlog drains.</summary>
public sealed class SignalHistoryFlusher(
    SignalHistoryWriter writer,
    IOptions<PersistenceOptions> persistenceOptions,
    IOptions<PostgresPersistenceOptions> postgresOptions,
    PersistenceMetrics metrics,
    PersistenceHealth health,
    BulkWriteGate gate,
    ILogger<SignalHistoryFlusher> logger,
    TimeProvider? timeProvider = null)
    : WriteBehindService(ComponentName, health, gate, logger, timeProvider)
{
    public const string ComponentName = "history";

    public override int PendingCount => writer.PendingCount;

    protected override TimeSpan Interval => persistenceOptions.Value.FlushInterval;

    protected override TimeSpan MaxRetryDelay => postgresOptions.Value.MaxRetryDelay;

    protected override Task<bool> WriteOnceAsync(CancellationToken cancellationToken) => writer.WriteNextBatchAsync(cancellationToken);

    protected override Task PingAsync(CancellationToken cancellationToken) => writer.PingAsync(cancellationToken);

    protected override int AbandonPending() => writer.AbandonPending();

    protected override void CountFailure() => metrics.HistoryWriteFailed();
}
