using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Persistence.Diagnostics;
using DigitalTwin.Persistence.Snapshots;
using DigitalTwin.Persistence.Tests.Support;
using DigitalTwin.Persistence.WriteBehind;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DigitalTwin.Persistence.Tests;

[Collection(PostgresCollection.Name)]
public sealed class SnapshotStoreTests(PostgresFixture postgres) : IAsyncLifetime
{
    private string _connectionString = null!;

    public async Task InitializeAsync() => _connectionString = await postgres.DatabaseForClassAsync(GetType());

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_flushed_snapshot_loads_back_with_every_field()
    {
        await using var harness = Harness.Create(_connectionString);
        var vin = TestVins.Next();
        var snapshot = TestSnapshots.Of(vin, version: 17);

        harness.Store.Stage(snapshot);
        await harness.Store.WritePendingAsync(CancellationToken.None);
        await using var fresh = Harness.Create(_connectionString);
        var loaded = await fresh.Store.LoadAsync(vin, CancellationToken.None);

        AssertSameTwin(snapshot, loaded);
    }

    [Fact]
    public async Task Loading_a_vehicle_never_written_returns_nothing()
    {
        await using var harness = Harness.Create(_connectionString);

        Assert.Null(await harness.Store.LoadAsync(TestVins.Next(), CancellationToken.None));
    }

    [Fact]
    public async Task A_snapshot_still_waiting_for_the_database_is_what_a_reactivated_twin_loads()
    {
        await using var harness = Harness.Create(_connectionString);
        var vin = TestVins.Next();
        harness.Store.Stage(TestSnapshots.Of(vin, version: 1));
        await harness.Store.WritePendingAsync(CancellationToken.None);
        var newer = TestSnapshots.Of(vin, version: 2, speed: 120);

        harness.Store.Stage(newer);
        var loaded = await harness.Store.LoadAsync(vin, CancellationToken.None);

        Assert.Same(newer, loaded);
    }

    [Fact]
    public async Task A_hundred_stagings_of_one_vehicle_cost_one_row_write()
    {
        await using var harness = Harness.Create(_connectionString);
        var vin = TestVins.Next();

        for (var version = 1; version <= 100; version++)
        {
            harness.Store.Stage(TestSnapshots.Of(vin, version, speed: version));
        }

        await harness.Store.WritePendingAsync(CancellationToken.None);

        Assert.Equal(1, harness.Metrics.SnapshotStatements);
        Assert.Equal(1, harness.Metrics.SnapshotRowsWritten);
        Assert.Equal(99, harness.Metrics.SnapshotsCoalesced);
        Assert.Equal(0, harness.Store.PendingCount);
        Assert.Equal(100L, await Sql.ScalarAsync<long>(_connectionString, "SELECT version FROM vehicle_snapshots WHERE vin = $1", vin));
    }

    [Fact]
    public async Task An_older_staging_never_replaces_a_newer_one_waiting_to_be_written()
    {
        await using var harness = Harness.Create(_connectionString);
        var vin = TestVins.Next();

        harness.Store.Stage(TestSnapshots.Of(vin, version: 5, speed: 50));
        harness.Store.Stage(TestSnapshots.Of(vin, version: 4, speed: 40));
        await harness.Store.WritePendingAsync(CancellationToken.None);

        Assert.Equal(5L, await Sql.ScalarAsync<long>(_connectionString, "SELECT version FROM vehicle_snapshots WHERE vin = $1", vin));
    }

    [Fact]
    public async Task A_stale_activation_never_overwrites_a_newer_snapshot_and_is_told_so()
    {
        var observer = new RecordingObserver();
        await using var current = Harness.Create(_connectionString);
        await using var stale = Harness.Create(_connectionString, observers: observer);
        var vin = TestVins.Next();
        current.Store.Stage(TestSnapshots.Of(vin, version: 9, speed: 99));
        await current.Store.WritePendingAsync(CancellationToken.None);

        stale.Store.Stage(TestSnapshots.Of(vin, version: 7, speed: 77));
        await stale.Store.WritePendingAsync(CancellationToken.None);

        Assert.Equal(9L, await Sql.ScalarAsync<long>(_connectionString, "SELECT version FROM vehicle_snapshots WHERE vin = $1", vin));
        Assert.Equal("99", await Sql.ScalarAsync<string>(_connectionString, "SELECT signals -> 'Vehicle.Speed' ->> 'value' FROM vehicle_snapshots WHERE vin = $1", vin));
        Assert.Equal(1, stale.Metrics.SnapshotsStale);
        Assert.Equal(0, stale.Store.PendingCount);
        Assert.Equal([new StaleSnapshot(vin, 7, 9)], observer.Seen);
    }

    [Fact]
    public async Task Writing_the_same_version_again_after_a_lost_acknowledgement_is_not_a_conflict()
    {
        await using var first = Harness.Create(_connectionString);
        await using var retry = Harness.Create(_connectionString);
        var vin = TestVins.Next();
        first.Store.Stage(TestSnapshots.Of(vin, version: 3));
        await first.Store.WritePendingAsync(CancellationToken.None);

        retry.Store.Stage(TestSnapshots.Of(vin, version: 3));
        await retry.Store.WritePendingAsync(CancellationToken.None);

        Assert.Equal(0, retry.Metrics.SnapshotsStale);
        Assert.Equal(0, retry.Store.PendingCount);
    }

    [Fact]
    public async Task A_newer_version_from_another_activation_replaces_the_row()
    {
        await using var harness = Harness.Create(_connectionString);
        var vin = TestVins.Next();
        harness.Store.Stage(TestSnapshots.Of(vin, version: 1, speed: 10));
        await harness.Store.WritePendingAsync(CancellationToken.None);

        harness.Store.Stage(TestSnapshots.Of(vin, version: 2, speed: 20) with { Online = false });
        await harness.Store.WritePendingAsync(CancellationToken.None);

        Assert.Equal(2L, await Sql.ScalarAsync<long>(_connectionString, "SELECT version FROM vehicle_snapshots WHERE vin = $1", vin));
        Assert.False(await Sql.ScalarAsync<bool>(_connectionString, "SELECT online FROM vehicle_snapshots WHERE vin = $1", vin));
        Assert.Equal(2, harness.Metrics.SnapshotRowsWritten);
    }

    [Fact]
    public async Task More_vehicles_than_one_batch_are_written_in_several_statements()
    {
        await using var harness = Harness.Create(_connectionString, o => o.SnapshotBatchSize = 10);
        var vins = Enumerable.Range(0, 25).Select(_ => TestVins.Next()).ToArray();

        foreach (var vin in vins)
        {
            harness.Store.Stage(TestSnapshots.Of(vin, version: 1));
        }

        await harness.Store.WritePendingAsync(CancellationToken.None);

        Assert.Equal(3, harness.Metrics.SnapshotStatements);
        Assert.Equal(25, harness.Metrics.SnapshotRowsWritten);
        Assert.Equal(25L, await Sql.ScalarAsync<long>(_connectionString, "SELECT count(*) FROM vehicle_snapshots WHERE vin = ANY($1)", (object)vins));
    }

    [Fact]
    public async Task Reaching_the_pending_bound_drops_and_counts_new_vehicles_but_still_coalesces_waiting_ones()
    {
        await using var harness = Harness.Create(_connectionString, o => o.MaxPendingSnapshots = 3);
        var vins = Enumerable.Range(0, 5).Select(_ => TestVins.Next()).ToArray();

        foreach (var vin in vins)
        {
            harness.Store.Stage(TestSnapshots.Of(vin, version: 1));
        }

        harness.Store.Stage(TestSnapshots.Of(vins[0], version: 2));
        await harness.Store.WritePendingAsync(CancellationToken.None);

        Assert.Equal(2, harness.Metrics.SnapshotsDropped);
        Assert.Equal(3L, await Sql.ScalarAsync<long>(_connectionString, "SELECT count(*) FROM vehicle_snapshots WHERE vin = ANY($1)", (object)vins));
        Assert.Equal(2L, await Sql.ScalarAsync<long>(_connectionString, "SELECT version FROM vehicle_snapshots WHERE vin = $1", vins[0]));
        Assert.Null(await harness.Store.LoadAsync(vins[4], CancellationToken.None));
    }

    [Fact]
    public async Task Hostile_signal_names_and_values_round_trip_exactly()
    {
        await using var harness = Harness.Create(_connectionString);
        var vin = TestVins.Next();
        var hugeText = string.Concat(Enumerable.Repeat("Größe 🚗 \"quoted\" \\ back'slash ", 40_000)); // ~1.3 MB
        var snapshot = TestSnapshots.Of(vin, version: 1)
            .WithSignal("Vehicle.It's \"quoted\"; DROP TABLE vehicle_snapshots; --", SignalValue.FromText("'); DELETE FROM vehicle_snapshots; --"))
            .WithSignal("Fahrzeug.Geschwindigkeit.Ä.车辆.速度.🚗", SignalValue.FromText("مرحبا\u200F e\u0301"))
            .WithSignal("Vehicle.$1.@vin.\\x00.{}[]", SignalValue.FromNumber(-273.15))
            .WithSignal("Vehicle.Huge", SignalValue.FromText(hugeText))
            .WithSignal("Vehicle.Max", SignalValue.FromNumber(double.MaxValue))
            .WithSignal("Vehicle.Tiny", SignalValue.FromNumber(double.Epsilon))
            .WithSignal("Vehicle.Tenth", SignalValue.FromNumber(0.1))
            .WithSignal("Vehicle.False", SignalValue.FromBoolean(false));

        harness.Store.Stage(snapshot);
        await harness.Store.WritePendingAsync(CancellationToken.None);
        await using var fresh = Harness.Create(_connectionString);
        var loaded = await fresh.Store.LoadAsync(vin, CancellationToken.None);

        AssertSameTwin(snapshot, loaded);
        Assert.True(await Sql.ScalarAsync<bool>(_connectionString, "SELECT to_regclass('vehicle_snapshots') IS NOT NULL"));
    }

    [Fact]
    public async Task Batches_written_over_several_connections_at_once_settle_every_vehicle_written_stale_or_refused()
    {
        var observer = new RecordingObserver();
        await using var newer = Harness.Create(_connectionString);
        await using var harness = Harness.Create(_connectionString, o => (o.SnapshotBatchSize, o.SnapshotWriteConnections) = (4, 3), observers: observer);
        var vins = Enumerable.Range(0, 30).Select(_ => TestVins.Next()).ToArray();
        // Two vehicles another activation has already written at a newer version, one that can never be stored.
        var (stale1, stale2, refused) = (vins[5], vins[22], vins[13]);
        newer.Store.Stage(TestSnapshots.Of(stale1, version: 50));
        newer.Store.Stage(TestSnapshots.Of(stale2, version: 50));
        await newer.Store.WritePendingAsync(CancellationToken.None);
        foreach (var vin in vins)
        {
            var snapshot = TestSnapshots.Of(vin, version: 7);
            harness.Store.Stage(vin == refused ? snapshot.WithSignal("Vehicle.Note", SignalValue.FromText("nul\0byte")) : snapshot);
        }

        await harness.Store.WritePendingAsync(CancellationToken.None);

        Assert.Equal(0, harness.Store.PendingCount);
        Assert.Equal(27, harness.Metrics.SnapshotRowsWritten);
        Assert.Equal(2, harness.Metrics.SnapshotsStale);
        Assert.Equal(1, harness.Metrics.SnapshotsRejected);
        Assert.Equal(new[] { stale1, stale2 }.Order(StringComparer.Ordinal), observer.Seen.Select(s => s.Vin).Order(StringComparer.Ordinal));
        Assert.Equal(27L, await Sql.ScalarAsync<long>(_connectionString, "SELECT count(*) FROM vehicle_snapshots WHERE vin = ANY($1) AND version = 7", (object)vins));
    }

    [Fact]
    public async Task A_value_PostgreSQL_refuses_is_dropped_and_counted_without_blocking_the_rest_of_its_batch()
    {
        await using var harness = Harness.Create(_connectionString);
        var good = Enumerable.Range(0, 6).Select(_ => TestVins.Next()).ToArray();
        var (nul, loneSurrogate) = (TestVins.Next(), TestVins.Next());
        foreach (var vin in good)
        {
            harness.Store.Stage(TestSnapshots.Of(vin, version: 1));
        }

        // jsonb cannot hold U+0000: this row can never be written, however often it is retried.
        harness.Store.Stage(TestSnapshots.Of(nul, version: 1).WithSignal("Vehicle.Note", SignalValue.FromText("nul\0byte")));
        // Half a surrogate pair is not text; the JSON writer stores U+FFFD for it rather than refusing the twin.
        harness.Store.Stage(TestSnapshots.Of(loneSurrogate, version: 1).WithSignal("Vehicle.Note", SignalValue.FromText("half \uD83D pair")));

        await harness.Store.WritePendingAsync(CancellationToken.None);

        Assert.Equal(1, harness.Metrics.SnapshotsRejected);
        Assert.Equal(0, harness.Store.PendingCount);
        Assert.Equal(6L, await Sql.ScalarAsync<long>(_connectionString, "SELECT count(*) FROM vehicle_snapshots WHERE vin = ANY($1)", (object)good));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(_connectionString, "SELECT count(*) FROM vehicle_snapshots WHERE vin = $1", nul));
        Assert.Equal("half \uFFFD pair", await Sql.ScalarAsync<string>(_connectionString, "SELECT signals -> 'Vehicle.Note' ->> 'value' FROM vehicle_snapshots WHERE vin = $1", loneSurrogate));
    }

    [Fact]
    public async Task Other_systems_can_read_the_twin_with_plain_sql()
    {
        await using var harness = Harness.Create(_connectionString);
        var vin = TestVins.Next();

        harness.Store.Stage(TestSnapshots.Of(vin, version: 4, speed: 87.5));
        await harness.Store.WritePendingAsync(CancellationToken.None);

        Assert.Equal(87.5, await Sql.ScalarAsync<double>(_connectionString, "SELECT (signals -> 'Vehicle.Speed' ->> 'value')::float8 FROM vehicle_snapshots WHERE vin = $1", vin));
        Assert.Equal(TestSnapshots.SampleTs + 4, await Sql.ScalarAsync<long>(_connectionString, "SELECT (signals -> 'Vehicle.Speed' ->> 'ts')::bigint FROM vehicle_snapshots WHERE vin = $1", vin));
        Assert.True(await Sql.ScalarAsync<bool>(_connectionString, "SELECT (signals -> 'Vehicle.Cabin.Seat.Row1.Pos1.IsOccupied' -> 'value')::boolean FROM vehicle_snapshots WHERE vin = $1", vin));
        Assert.Equal("string", await Sql.ScalarAsync<string>(_connectionString, "SELECT jsonb_typeof(signals -> 'Vehicle.VehicleIdentification.Brand' -> 'value') FROM vehicle_snapshots WHERE vin = $1", vin));
        Assert.Equal(40L, await Sql.ScalarAsync<long>(_connectionString, "SELECT last_telemetry_seq FROM vehicle_snapshots WHERE vin = $1", vin));
        Assert.True(await Sql.ScalarAsync<bool>(_connectionString, "SELECT updated_at > now() - interval '1 minute' FROM vehicle_snapshots WHERE vin = $1", vin));
    }

    [Fact]
    public async Task A_flush_waits_between_batches_while_an_alert_is_being_stored()
    {
        await using var harness = Harness.Create(_connectionString);
        var gate = new BulkWriteGate(new FakeTimeProvider());
        var store = new PostgresTwinSnapshotStore(
            harness.DataSource,
            Options.Create(new PostgresPersistenceOptions { SnapshotBatchSize = 1 }),
            new PersistenceMetrics(),
            NullLogger<PostgresTwinSnapshotStore>.Instance,
            gate: gate);
        string[] vins = [TestVins.Next(), TestVins.Next()];
        foreach (var vin in vins)
        {
            store.Stage(TestSnapshots.Of(vin, version: 1));
        }

        var alert = gate.EnterUrgent();
        Task flush;
        try
        {
            flush = store.WritePendingAsync(CancellationToken.None);

            // The row is visible on commit, a moment before the store settles the batch: wait for both.
            await Eventually.TrueAsync(async () => await StoredAsync(vins) == 1 && store.PendingCount == 1, "the first batch is written and settled");

            // Time does not move, so only the alert's end can let the second batch go.
            Assert.False(flush.IsCompleted);
            Assert.Equal(1, await StoredAsync(vins));
        }
        finally
        {
            alert.Dispose();
        }

        await flush.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(2, await StoredAsync(vins));
    }

    private Task<long> StoredAsync(string[] vins) =>
        Sql.ScalarAsync<long>(_connectionString, "SELECT count(*) FROM vehicle_snapshots WHERE vin = ANY($1)", (object)vins);

    private static void AssertSameTwin(TwinSnapshot expected, TwinSnapshot? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Vin, actual.Vin);
        Assert.Equal(expected.Version, actual.Version);
        Assert.Equal(expected.Online, actual.Online);
        Assert.Equal(expected.LastSeenAt, actual.LastSeenAt);
        Assert.Equal(expected.LastTelemetrySeq, actual.LastTelemetrySeq);
        Assert.Equal(expected.LastEventSeq, actual.LastEventSeq);
        Assert.Equal(expected.Signals.Keys.Order(StringComparer.Ordinal), actual.Signals.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, reading) in expected.Signals)
        {
            Assert.Equal(reading, actual.Signals[name]);
        }
    }

    private sealed class RecordingObserver : IStaleSnapshotObserver
    {
        private readonly List<StaleSnapshot> _seen = [];

        // Batches written over several connections may report at the same moment.
        public List<StaleSnapshot> Seen
        {
            get
            {
                lock (_seen)
                {
                    return [.. _seen];
                }
            }
        }

        public void OnStaleSnapshot(StaleSnapshot stale)
        {
            lock (_seen)
            {
                _seen.Add(stale);
            }
        }
    }
}
