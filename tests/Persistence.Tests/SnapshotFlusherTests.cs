using DigitalTwin.Persistence.Diagnostics;
using DigitalTwin.Persistence.Snapshots;
using DigitalTwin.Persistence.Tests.Support;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DigitalTwin.Persistence.Tests;

[Collection(PostgresCollection.Name)]
public sealed class SnapshotFlusherTests(PostgresFixture postgres) : IAsyncLifetime
{
    private string _connectionString = null!;

    public async Task InitializeAsync() => _connectionString = await postgres.DatabaseForClassAsync(GetType());

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_flusher_writes_staged_snapshots_within_a_few_intervals_without_being_asked()
    {
        await using var harness = Harness.Create(_connectionString, flushInterval: TimeSpan.FromMilliseconds(50));
        var vin = TestVins.Next();
        await harness.SnapshotFlusher.StartAsync(CancellationToken.None);

        harness.Store.Stage(TestSnapshots.Of(vin, version: 3));

        await Eventually.TrueAsync(
            async () => await Sql.ScalarAsync<long>(_connectionString, "SELECT count(*) FROM vehicle_snapshots WHERE vin = $1 AND version = 3", vin) == 1,
            "the snapshot is in PostgreSQL");
        await harness.SnapshotFlusher.StopAsync(CancellationToken.None);
        Assert.Equal(0, harness.Store.PendingCount);
    }

    [Fact]
    public async Task Stopping_writes_every_snapshot_still_pending()
    {
        // An interval far longer than the test: only the shutdown flush can write anything.
        await using var harness = Harness.Create(_connectionString, flushInterval: TimeSpan.FromMinutes(10));
        var vins = Enumerable.Range(0, 50).Select(_ => TestVins.Next()).ToArray();
        await harness.SnapshotFlusher.StartAsync(CancellationToken.None);
        foreach (var vin in vins)
        {
            harness.Store.Stage(TestSnapshots.Of(vin, version: 1));
        }

        Assert.Equal(0L, await CountAsync(vins));

        await harness.SnapshotFlusher.StopAsync(CancellationToken.None);

        Assert.Equal(50L, await CountAsync(vins));
        Assert.Equal(0, harness.Store.PendingCount);
    }

    [Fact]
    public async Task While_the_database_is_away_snapshots_stay_in_memory_readiness_is_degraded_and_all_arrive_when_it_returns()
    {
        await using var proxy = TcpProxy.To(_connectionString);
        await using var harness = Harness.Create(proxy.Route(_connectionString) + ";Timeout=2", flushInterval: TimeSpan.FromMilliseconds(50));
        var check = new PersistenceHealthCheck(harness.Health, harness.Metrics);
        var (first, second) = (TestVins.Next(), TestVins.Next());
        proxy.Cut();
        await harness.SnapshotFlusher.StartAsync(CancellationToken.None);

        harness.Store.Stage(TestSnapshots.Of(first, version: 1));
        await Eventually.TrueAsync(() => harness.Metrics.SnapshotFlushFailures >= 3, "several flushes have failed");
        // Newer state during the outage merges with what is kept.
        harness.Store.Stage(TestSnapshots.Of(first, version: 2, speed: 22));
        harness.Store.Stage(TestSnapshots.Of(second, version: 1));

        var degraded = await check.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Contains(SnapshotFlusher.ComponentName, degraded.Description, StringComparison.Ordinal);
        Assert.Equal(2, harness.Store.PendingCount);
        Assert.Equal(0, harness.Metrics.SnapshotsDropped);
        Assert.Equal(0L, await CountAsync([first, second]));
        Assert.Equal(2, (await harness.Store.LoadAsync(first, CancellationToken.None))?.Version);

        proxy.Restore();

        await Eventually.TrueAsync(() => harness.Store.PendingCount == 0, "the kept snapshots are written");
        await harness.SnapshotFlusher.StopAsync(CancellationToken.None);
        Assert.Equal(2L, await Sql.ScalarAsync<long>(_connectionString, "SELECT version FROM vehicle_snapshots WHERE vin = $1", first));
        Assert.Equal(1L, await CountAsync([second]));
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);
        Assert.Equal(0, harness.Metrics.SnapshotsDropped);
    }

    [Fact]
    public async Task Readiness_recovers_when_the_database_returns_even_with_nothing_left_to_write()
    {
        await using var proxy = TcpProxy.To(_connectionString);
        await using var harness = Harness.Create(proxy.Route(_connectionString) + ";Timeout=2", flushInterval: TimeSpan.FromMilliseconds(50));
        proxy.Cut();
        harness.Store.Stage(TestSnapshots.Of(TestVins.Next(), version: 1));
        await harness.SnapshotFlusher.StartAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => harness.Health.IsDegraded, "readiness is degraded");

        harness.Store.AbandonPending();
        var failures = harness.Metrics.SnapshotFlushFailures;
        await Eventually.TrueAsync(() => harness.Metrics.SnapshotFlushFailures >= failures + 2, "the idle flusher keeps checking the database");
        Assert.True(harness.Health.IsDegraded, "an empty buffer says nothing about the database");
        proxy.Restore();

        await Eventually.TrueAsync(() => !harness.Health.IsDegraded, "readiness is healthy again");
        await harness.SnapshotFlusher.StopAsync(CancellationToken.None);
        Assert.Equal(0, harness.Metrics.SnapshotRowsWritten);
    }

    [Fact]
    public async Task Back_off_spaces_retries_out_instead_of_retrying_every_interval()
    {
        await using var proxy = TcpProxy.To(_connectionString);
        await using var harness = Harness.Create(
            proxy.Route(_connectionString) + ";Timeout=2",
            options => options.MaxRetryDelay = TimeSpan.FromSeconds(1),
            flushInterval: TimeSpan.FromMilliseconds(20));
        proxy.Cut();
        harness.Store.Stage(TestSnapshots.Of(TestVins.Next(), version: 1));
        await harness.SnapshotFlusher.StartAsync(CancellationToken.None);

        var started = DateTime.UtcNow;
        await Eventually.TrueAsync(() => harness.Metrics.SnapshotFlushFailures >= 5, "five flushes have failed");
        var elapsed = DateTime.UtcNow - started;
        await harness.SnapshotFlusher.StopAsync(new CancellationToken(canceled: true));

        // 20 ms doubling, with jitter at least 0.8 x (40 + 80 + 160 + 320) ms before the fifth attempt.
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(450), $"five attempts took only {elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task A_shutdown_that_runs_out_of_time_counts_what_it_could_not_write()
    {
        await using var proxy = TcpProxy.To(_connectionString);
        await using var harness = Harness.Create(proxy.Route(_connectionString) + ";Timeout=2", flushInterval: TimeSpan.FromMinutes(10));
        proxy.Cut();
        await harness.SnapshotFlusher.StartAsync(CancellationToken.None);
        harness.Store.Stage(TestSnapshots.Of(TestVins.Next(), version: 1));
        harness.Store.Stage(TestSnapshots.Of(TestVins.Next(), version: 1));

        using var shutdownBudget = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await harness.SnapshotFlusher.StopAsync(shutdownBudget.Token);

        Assert.Equal(2, harness.Metrics.SnapshotsDropped);
        Assert.Equal(0, harness.Store.PendingCount);
    }

    private Task<long> CountAsync(string[] vins) =>
        Sql.ScalarAsync<long>(_connectionString, "SELECT count(*) FROM vehicle_snapshots WHERE vin = ANY($1)", (object)vins);
}
