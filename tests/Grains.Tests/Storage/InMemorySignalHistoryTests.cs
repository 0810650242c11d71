using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Storage;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Grains.Tests.Storage;

public sealed class InMemorySignalHistoryTests
{
    private const string Vin = "WDD2030461A123456";

    private static TelemetryMessage Speed(long ts, double kmh) =>
        new(ts, ts, [new SignalSample("Vehicle.Speed", SignalValue.FromNumber(kmh))], DateTimeOffset.UnixEpoch);

    [Fact]
    public async Task It_keeps_the_last_points_up_to_its_capacity_across_growth_and_wrap_around()
    {
        var history = new InMemorySignalHistory(Options.Create(new PersistenceOptions { InMemoryHistoryPerSignal = 10 }));

        for (var ts = 1; ts <= 25; ts++)
        {
            history.Append(Vin, Speed(ts, ts));
        }

        var points = await history.QueryAsync(Vin, "Vehicle.Speed", 0, long.MaxValue, 100, CancellationToken.None);
        Assert.Equal(Enumerable.Range(16, 10).Select(i => (long)i), points.Select(p => p.Ts));
    }

    [Fact]
    public async Task Both_ends_of_the_range_are_inclusive_and_the_limit_keeps_the_oldest()
    {
        var history = new InMemorySignalHistory(Options.Create(new PersistenceOptions()));
        for (var ts = 1; ts <= 6; ts++)
        {
            history.Append(Vin, Speed(ts * 100, ts));
        }

        var points = await history.QueryAsync(Vin, "Vehicle.Speed", 200, 500, 3, CancellationToken.None);

        Assert.Equal(new long[] { 200, 300, 400 }, points.Select(p => p.Ts));
    }

    [Fact]
    public async Task Zero_capacity_turns_history_off()
    {
        var history = new InMemorySignalHistory(Options.Create(new PersistenceOptions { InMemoryHistoryPerSignal = 0 }));
        history.Append(Vin, Speed(1, 1));

        Assert.Empty(await history.QueryAsync(Vin, "Vehicle.Speed", 0, long.MaxValue, 10, CancellationToken.None));
    }
}
