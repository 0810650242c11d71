using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Persistence.Tests.Support;

namespace DigitalTwin.Persistence.Tests;

[Collection(PostgresCollection.Name)]
public sealed class SignalHistorySeamTests(PostgresFixture postgres) : IAsyncLifetime
{
    // An hour ago in whole milliseconds, as cars stamp their telemetry.
    private static readonly long T0 = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds();

    private string _connectionString = null!;

    public async Task InitializeAsync() => _connectionString = await postgres.DatabaseForClassAsync(GetType());

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_query_includes_both_ends_of_its_range_oldest_first()
    {
        await using var harness = Harness.Create(_connectionString);
        var (writer, reader) = (harness.HistoryWriter, harness.HistoryReader);
        var (vin, other) = (TestVins.Next(), TestVins.Next());
        // One sample a millisecond, appended out of order, with another signal and another vehicle alongside.
        foreach (var ms in new[] { 3, 0, 4, 1, 2 })
        {
            writer.Append(vin, Message(T0 + ms, ("Vehicle.Speed", ms * 10), ("Vehicle.TraveledDistance", -1)));
            writer.Append(other, Message(T0 + ms, ("Vehicle.Speed", -2)));
        }

        Assert.Equal(15, harness.HistoryWriter.PendingCount);
        await harness.HistoryFlusher.FlushAsync(CancellationToken.None);

        var points = await reader.QueryAsync(vin, "Vehicle.Speed", T0 + 1, T0 + 3, 100, CancellationToken.None);
        var instant = await reader.QueryAsync(vin, "Vehicle.Speed", T0 + 4, T0 + 4, 100, CancellationToken.None);

        Assert.Equal([T0 + 1, T0 + 2, T0 + 3], points.Select(p => p.Ts));
        Assert.Equal([10.0, 20.0, 30.0], points.Select(p => p.Value.Number));
        Assert.Equal([T0 + 4], instant.Select(p => p.Ts));
        Assert.Empty(await reader.QueryAsync(vin, "Vehicle.Speed", T0 + 3, T0 + 2, 100, CancellationToken.None));
    }

    [Fact]
    public async Task The_limit_keeps_the_oldest_points_and_values_keep_their_kind()
    {
        await using var harness = Harness.Create(_connectionString);
        var (writer, reader) = (harness.HistoryWriter, harness.HistoryReader);
        var vin = TestVins.Next();
        for (var ms = 0; ms < 10; ms++)
        {
            writer.Append(vin, new TelemetryMessage(
                T0 + ms,
                Seq: ms,
                [
                    new SignalSample("Vehicle.Speed", SignalValue.FromNumber(ms)),
                    new SignalSample("Vehicle.ADAS.ABS.IsEngaged", SignalValue.FromBoolean(ms % 2 == 0)),
                    new SignalSample("Vehicle.Cabin.Infotainment.Media.Played.Track", SignalValue.FromText($"track {ms}")),
                ],
                DateTimeOffset.UtcNow));
        }

        await harness.HistoryFlusher.FlushAsync(CancellationToken.None);

        var speeds = await reader.QueryAsync(vin, "Vehicle.Speed", T0, T0 + 9, 4, CancellationToken.None);
        var abs = await reader.QueryAsync(vin, "Vehicle.ADAS.ABS.IsEngaged", T0 + 9, T0 + 9, 10, CancellationToken.None);
        var track = await reader.QueryAsync(vin, "Vehicle.Cabin.Infotainment.Media.Played.Track", T0, T0, 10, CancellationToken.None);

        Assert.Equal([0.0, 1.0, 2.0, 3.0], speeds.Select(p => p.Value.Number));
        Assert.Equal(SignalValue.FromBoolean(false), Assert.Single(abs).Value);
        Assert.Equal(SignalValue.FromText("track 0"), Assert.Single(track).Value);
        Assert.Empty(await reader.QueryAsync(vin, "Vehicle.Speed", T0, T0 + 9, 0, CancellationToken.None));
    }

    [Fact]
    public async Task A_range_beyond_what_an_instant_can_hold_covers_all_history()
    {
        await using var harness = Harness.Create(_connectionString);
        var (writer, reader) = (harness.HistoryWriter, harness.HistoryReader);
        var vin = TestVins.Next();
        writer.Append(vin, Message(T0, ("Vehicle.Speed", 1)));
        writer.Append(vin, Message(T0 + 1, ("Vehicle.Speed", 2)));
        await harness.HistoryFlusher.FlushAsync(CancellationToken.None);

        var all = await reader.QueryAsync(vin, "Vehicle.Speed", long.MinValue, long.MaxValue, 100, CancellationToken.None);
        var fromStart = await reader.QueryAsync(vin, "Vehicle.Speed", long.MinValue, T0, 100, CancellationToken.None);
        var toEnd = await reader.QueryAsync(vin, "Vehicle.Speed", T0 + 1, long.MaxValue, 100, CancellationToken.None);

        Assert.Equal([T0, T0 + 1], all.Select(p => p.Ts));
        Assert.Equal([T0], fromStart.Select(p => p.Ts));
        Assert.Equal([T0 + 1], toEnd.Select(p => p.Ts));
        Assert.Empty(await reader.QueryAsync(vin, "Vehicle.Speed", long.MaxValue - 1, long.MaxValue, 100, CancellationToken.None));
        Assert.Empty(await reader.QueryAsync(vin, "Vehicle.Speed", long.MinValue, long.MinValue + 1, 100, CancellationToken.None));
    }

    private static TelemetryMessage Message(long ts, params (string Name, double Value)[] samples) =>
        new(ts, Seq: ts, samples.Select(s => new SignalSample(s.Name, SignalValue.FromNumber(s.Value))).ToArray(), DateTimeOffset.UtcNow);
}
