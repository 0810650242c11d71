using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Telemetry;
using DigitalTwin.Grains.Abstractions.Vehicles;

namespace DigitalTwin.Grains.Tests.Vehicles;

/// <summary>
/// A PUBACK is a promise: while history cannot take more samples, a twin waits before applying telemetry (and with it
/// the car's acknowledgement), then applies it, or after Persistence:BackpressureTimeout tells the car to send it again,
/// having changed nothing.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class VehicleGrainBackpressureTests(ClusterFixture fixture)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private static int _next;

    private static string NewVin() => $"WDD2030461B{Interlocked.Increment(ref _next):D6}";

    private static TelemetryMessage Speed(long seq, double kmh) =>
        new(1764028800000 + seq, seq, [new SignalSample(SignalCatalogue.Speed, SignalValue.FromNumber(kmh))], T0.AddSeconds(seq));

    [Fact]
    public async Task Telemetry_waits_while_history_is_full_and_is_applied_once_history_has_room()
    {
        var grain = fixture.Grains.GetGrain<IVehicleGrain>(NewVin());
        ClusterFixture.History.Close();
        try
        {
            var applying = grain.ApplyTelemetry(Speed(1, 42)).AsTask();
            Assert.False(applying.IsCompleted);

            ClusterFixture.History.Open();
            var result = await applying.WaitAsync(TimeSpan.FromSeconds(10));

            Assert.Equal(ApplyOutcome.Applied, result.Outcome);
            Assert.Equal(1, (await grain.GetTwin()).LastTelemetrySeq);
        }
        finally
        {
            ClusterFixture.History.Open();
        }
    }

    [Fact]
    public async Task Telemetry_that_finds_no_room_within_the_backpressure_timeout_is_deferred_and_changes_nothing()
    {
        var grain = fixture.Grains.GetGrain<IVehicleGrain>(NewVin());
        Assert.Equal(ApplyOutcome.Applied, (await grain.ApplyTelemetry(Speed(1, 10))).Outcome);
        ClusterFixture.History.Close();
        try
        {
            var applying = grain.ApplyTelemetry(Speed(2, 20)).AsTask();

            // The grain's wait runs on the domain clock: move it past the timeout until the wait has noticed.
            await Poll.UntilAsync(
                () =>
                {
                    ClusterFixture.Clock.Advance(TimeSpan.FromSeconds(11));
                    return applying.IsCompleted;
                },
                TimeSpan.FromSeconds(10));

            Assert.Equal(ApplyOutcome.Deferred, (await applying).Outcome);
            ClusterFixture.History.Open();
            var twin = await grain.GetTwin();
            Assert.Equal(1, twin.LastTelemetrySeq);
            Assert.Equal(10.0, twin.Signals[SignalCatalogue.Speed].Value.Number);

            // Sent again, as the car is told to: applied, since the deferral took nothing of its seq.
            Assert.Equal(ApplyOutcome.Applied, (await grain.ApplyTelemetry(Speed(2, 20))).Outcome);
        }
        finally
        {
            ClusterFixture.History.Open();
        }
    }
}
