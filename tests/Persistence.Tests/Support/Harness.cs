using DigitalTwin.Grains.Storage;
using DigitalTwin.Persistence.Diagnostics;
using DigitalTwin.Persistence.History;
using DigitalTwin.Persistence.Snapshots;
using DigitalTwin.Persistence.WriteBehind;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace DigitalTwin.Persistence.Tests.Support;

/// <summary>The persistence layer wired by hand against one database, with short intervals that suit tests.</summary>
public sealed class Harness : IAsyncDisposable
{
    private Harness(string connectionString, PostgresPersistenceOptions options, TimeSpan flushInterval, IStaleSnapshotObserver[] observers, TimeProvider? time)
    {
        Options = options;
        DataSource = NpgsqlDataSource.Create(connectionString);
        var postgresOptions = Microsoft.Extensions.Options.Options.Create(options);
        var persistenceOptions = Microsoft.Extensions.Options.Options.Create(new PersistenceOptions { FlushInterval = flushInterval });
        HistoryWriter = new SignalHistoryWriter(DataSource, postgresOptions, Metrics, NullLogger<SignalHistoryWriter>.Instance);
        Store = new PostgresTwinSnapshotStore(DataSource, postgresOptions, Metrics, NullLogger<PostgresTwinSnapshotStore>.Instance, observers, history: HistoryWriter);
        SnapshotFlusher = new SnapshotFlusher(Store, persistenceOptions, postgresOptions, Metrics, Health, Gate, NullLogger<SnapshotFlusher>.Instance);
        HistoryFlusher = new SignalHistoryFlusher(HistoryWriter, persistenceOptions, postgresOptions, Metrics, Health, Gate, NullLogger<SignalHistoryFlusher>.Instance);
        HistoryReader = new SignalHistoryReader(DataSource, postgresOptions);
        Partitions = new SignalHistoryPartitions(DataSource, postgresOptions, NullLogger<SignalHistoryPartitions>.Instance);
        Retention = new SignalHistoryRetention(DataSource, Partitions, postgresOptions, Metrics, NullLogger<SignalHistoryRetention>.Instance, time);
    }

    public PostgresPersistenceOptions Options { get; }

    public NpgsqlDataSource DataSource { get; }

    public PersistenceMetrics Metrics { get; } = new();

    public PersistenceHealth Health { get; } = new();

    public BulkWriteGate Gate { get; } = new();

    public PostgresTwinSnapshotStore Store { get; }

    public SnapshotFlusher SnapshotFlusher { get; }

    public SignalHistoryWriter HistoryWriter { get; }

    public SignalHistoryFlusher HistoryFlusher { get; }

    public SignalHistoryReader HistoryReader { get; }

    public SignalHistoryPartitions Partitions { get; }

    public SignalHistoryRetention Retention { get; }

    public static Harness Create(
        string connectionString,
        Action<PostgresPersistenceOptions>? configure = null,
        TimeSpan? flushInterval = null,
        TimeProvider? time = null,
        params IStaleSnapshotObserver[] observers)
    {
        var options = new PostgresPersistenceOptions
        {
            MaxRetryDelay = TimeSpan.FromMilliseconds(200),
            CommandTimeout = TimeSpan.FromSeconds(5),
        };
        configure?.Invoke(options);
        return new Harness(connectionString, options, flushInterval ?? TimeSpan.FromMilliseconds(50), observers, time);
    }

    public async ValueTask DisposeAsync()
    {
        SnapshotFlusher.Dispose();
        HistoryFlusher.Dispose();
        Retention.Dispose();
        await DataSource.DisposeAsync();
    }
}
