using DigitalTwin.Contract.Commands;
using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Commands;
using DigitalTwin.Grains.Abstractions.Crash;
using DigitalTwin.Grains.Abstractions.Vehicles;

namespace DigitalTwin.Grains.Tests.Vehicles;

/// <summary>What a twin hands to the silo's change feed (with Kafka on: vehicle-twins, -alerts and -commands).</summary>
[Collection(ClusterCollection.Name)]
public sealed class VehicleGrainChangeFeedTests(ClusterFixture fixture)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private static int _next;

    private static string NewVin() => $"WDD2030461F{Interlocked.Increment(ref _next):D6}";

    private static TelemetryMessage Speed(long seq, double kmh) =>
        new(1764028800000 + seq, seq, [new SignalSample(SignalCatalogue.Speed, SignalValue.FromNumber(kmh))], T0.AddSeconds(seq));

    private static IReadOnlyList<VehicleStreamEvent> Changes(string vin) => ClusterFixture.ChangeFeed.Of(vin);

    [Fact]
    public async Task A_burst_of_telemetry_reaches_the_change_feed_as_fewer_twins_than_messages_and_the_last_is_the_current_twin()
    {
        const int Messages = 200;
        var vin = NewVin();
        var grain = fixture.Grains.GetGrain<IVehicleGrain>(vin);

        for (var seq = 1; seq <= Messages; seq++)
        {
            await grain.ApplyTelemetry(Speed(seq, seq % 130));
        }

        var current = await grain.GetTwin();
        await Poll.UntilAsync(() => Changes(vin).OfType<TwinChanged>().Any(t => t.Twin.Version == current.Version), TimeSpan.FromSeconds(10));

        var twins = Changes(vin).OfType<TwinChanged>().ToList();
        Assert.InRange(twins.Count, 1, Messages - 1);
        Assert.Equal(twins.Select(t => t.Twin.Version).Order(), twins.Select(t => t.Twin.Version));
        Assert.Equal(twins.Count, twins.Select(t => t.Twin.Version).Distinct().Count());
        var last = twins[^1];
        Assert.Equal(current.Version, last.Id);
        Assert.Equal(Messages, last.Twin.LastTelemetrySeq);
        Assert.Equal(current.Signals[SignalCatalogue.Speed], last.Twin.Signals[SignalCatalogue.Speed]);
    }

    [Fact]
    public async Task Every_command_state_change_reaches_the_change_feed_once_in_order()
    {
        var vin = NewVin();
        var grain = fixture.Grains.GetGrain<IVehicleGrain>(vin);
        var link = fixture.Cluster.Client.CreateObjectReference<ICarLink>(new RecordingCarLink());

        var submitted = (await grain.SubmitCommand(new CommandRequest(CommandNames.DoorsLock), null)).Command!;
        await grain.ConnectionOpened("s1", DateTimeOffset.UtcNow);
        await grain.CommandChannelOpened("s1", link);
        await grain.AckCommand(new CommandAck(submitted.Id, CommandAckStatus.Completed, null));

        var states = Changes(vin).OfType<CommandChanged>().Where(c => c.Command.Id == submitted.Id).Select(c => c.Command.State);
        Assert.Equal([CommandState.Pending, CommandState.Sent, CommandState.Completed], states);
    }

    [Fact]
    public async Task A_raised_alert_and_its_acknowledgement_reach_the_change_feed_once_each()
    {
        var vin = NewVin();
        var grain = fixture.Grains.GetGrain<IVehicleGrain>(vin);
        await grain.ApplyTelemetry(new TelemetryMessage(
            1764028800000,
            1,
            [new SignalSample(SignalCatalogue.SeatSignal(1, 1, "Airbag.IsDeployed"), SignalValue.FromBoolean(true))],
            T0));
        var alertId = (await grain.GetTwin()).Crash!.Id;

        await grain.AcknowledgeAlert(alertId, "operator-1");
        await grain.AcknowledgeAlert(alertId, "operator-1");

        var alerts = Changes(vin).OfType<AlertChanged>().Select(a => a.Alert).ToList();
        Assert.Equal([AlertStatus.Open, AlertStatus.Acknowledged], alerts.Select(a => a.Status));
        Assert.All(alerts, a => Assert.Equal(alertId, a.Id));
    }
}
