using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Persistence.History;
using DigitalTwin.Persistence.Tests.Support;
using Npgsql;

namespace DigitalTwin.Persistence.Tests;

/// <summary>
/// What a Kafka consumer's barrier relies on: waiting until a staged snapshot is stored, and history stored before the
/// snapshot that covers it, so that a stored seq never outruns its samples.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SnapshotDurabilityTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    private string _connectionString = null!;

    public async Task InitializeAsync() => _connectionString = await postgres.DatabaseForClassAsync(GetType());

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Waiting_for_a_staged_snapshot_ends_when_a_later_pass_has_written_it()
    {
        await using var harness = Harness.Create(_connectionString);
        var vin = TestVins.Next();
        harness.Store.Stage(TestSnapshots.Of(vin, version: 3));

        var durable = harness.Store.WhenWrittenAsync(vin, CancellationToken.None).AsTask();
        Assert.False(durable.IsCompleted, "nothing was written yet");

        await harness.Store.WritePendingAsync(CancellationToken.None);
        await durable.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, await SnapshotRowsAsync(vin));
    }

    [Fact]
    public async Task A_vehicle_with_nothing_staged_is_durable_at_once()
    {
        await using var harness = Harness.Create(_connectionString);

        Assert.True(harness.Store.WhenWrittenAsync(TestVins.Next(), CancellationToken.None).IsCompleted);
        Assert.True(harness.HistoryWriter.WhenWrittenAsync(CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task A_snapshot_is_not_written_before_the_history_it_covers()
    {
        await using var harness = Harness.Create(_connectionString);
        var vin = TestVins.Next();
        harness.HistoryWriter.Append(new SignalHistoryRow(vin, "Vehicle.Speed", T0, SignalValue.FromNumber(42)));
        harness.Store.Stage(TestSnapshots.Of(vin, version: 1));

        // The history flusher is not running: the pass must wait for it rather than store the snapshot alone.
        var pass = harness.Store.WritePendingAsync(CancellationToken.None);
        Assert.False(pass.IsCompleted, "the snapshot pass went ahead of the history it covers");
        Assert.Equal(0, await SnapshotRowsAsync(vin));

        var history = harness.HistoryWriter.WhenWrittenAsync(CancellationToken.None).AsTask();
        await harness.HistoryWriter.WriteNextBatchAsync(CancellationToken.None);
        await history.WaitAsync(TimeSpan.FromSeconds(10));
        await pass.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, await SnapshotRowsAsync(vin));
    }

    private async Task<long> SnapshotRowsAsync(string vin)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM vehicle_snapshots WHERE vin = @vin", connection);
        command.Parameters.AddWithValue("vin", vin);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
