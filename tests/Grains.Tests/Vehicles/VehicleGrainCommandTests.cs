using System.Text.Json;
using DigitalTwin.Contract.Commands;
using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Commands;
using DigitalTwin.Grains.Abstractions.Preconditioning;
using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Grains.Vehicles;

namespace DigitalTwin.Grains.Tests.Vehicles;

[Collection(ClusterCollection.Name)]
public sealed class VehicleGrainCommandTests(ClusterFixture fixture)
{
    private static int _next;

    private static string NewVin() => $"WDD2030461D{Interlocked.Increment(ref _next):D6}";

    private static TelemetryMessage Signals(long seq, params (string Name, SignalValue Value)[] signals) =>
        new(1764028800000 + seq, seq, signals.Select(s => new SignalSample(s.Name, s.Value)).ToArray(), DateTimeOffset.UtcNow);

    [Fact]
    public async Task A_command_the_twin_contradicts_is_refused_with_the_reason()
    {
        var grain = fixture.Grains.GetGrain<IVehicleGrain>(NewVin());
        await grain.ApplyTelemetry(Signals(1, (SignalCatalogue.Speed, SignalValue.FromNumber(50))));

        var decision = await grain.SubmitCommand(new CommandRequest(CommandNames.DoorsUnlock), null);

        Assert.Equal(CommandVerdict.Conflict, decision.Verdict);
        Assert.Contains("moving", decision.Conflict);
    }

    [Fact]
    public async Task A_retried_request_with_the_same_idempotency_key_returns_the_same_command()
    {
        var grain = fixture.Grains.GetGrain<IVehicleGrain>(NewVin());

        var first = await grain.SubmitCommand(new CommandRequest(CommandNames.DoorsLock), "key-1");
        var retry = await grain.SubmitCommand(new CommandRequest(CommandNames.DoorsLock), "key-1");
        var other = await grain.SubmitCommand(new CommandRequest(CommandNames.DoorsLock), "key-2");

        Assert.Equal(first.Command!.Id, retry.Command!.Id);
        Assert.NotEqual(first.Command.Id, other.Command!.Id);
    }

    [Fact]
    public async Task A_queued_command_goes_out_when_the_car_listens_and_acks_move_it_on()
    {
        var vin = NewVin();
        var gateway = new RecordingCarLink();
        var link = fixture.Cluster.Client.CreateObjectReference<ICarLink>(gateway);
        var delivered = gateway.Delivered;
        var grain = fixture.Grains.GetGrain<IVehicleGrain>(vin);
        var submitted = await grain.SubmitCommand(new CommandRequest(CommandNames.ChargingSetLimit, """{"limit":80}"""), null);
        Assert.Equal(CommandState.Pending, submitted.Command!.State);

        await grain.ConnectionOpened("s1", DateTimeOffset.UtcNow);
        await grain.CommandChannelOpened("s1", link);
        await Poll.UntilAsync(() => !delivered.IsEmpty, TimeSpan.FromSeconds(10));

        using var doc = JsonDocument.Parse(Assert.Single(delivered).ToPayload());
        Assert.Equal(submitted.Command.Id, doc.RootElement.GetProperty("id").GetGuid());
        Assert.Equal(80, doc.RootElement.GetProperty("params").GetProperty("limit").GetInt32());
        Assert.Equal(CommandState.Sent, (await grain.GetCommand(submitted.Command.Id))!.State);

        Assert.Equal(AckOutcome.Applied, await grain.AckCommand(new CommandAck(submitted.Command.Id, CommandAckStatus.Accepted, null)));
        Assert.Equal(AckOutcome.Applied, await grain.AckCommand(new CommandAck(submitted.Command.Id, CommandAckStatus.Completed, null)));
        Assert.Equal(AckOutcome.Duplicate, await grain.AckCommand(new CommandAck(submitted.Command.Id, CommandAckStatus.Completed, null)));
        Assert.Equal(AckOutcome.NotAllowed, await grain.AckCommand(new CommandAck(submitted.Command.Id, CommandAckStatus.Failed, null)));
        Assert.Equal(AckOutcome.Unknown, await grain.AckCommand(new CommandAck(Guid.NewGuid(), CommandAckStatus.Completed, null)));
        Assert.Equal(CommandState.Completed, (await grain.GetCommand(submitted.Command.Id))!.State);
        GC.KeepAlive(gateway);
    }

    [Fact]
    public async Task A_car_whose_commands_all_finished_takes_the_next_one_as_before()
    {
        var gateway = new RecordingCarLink();
        var link = fixture.Cluster.Client.CreateObjectReference<ICarLink>(gateway);
        var grain = fixture.Grains.GetGrain<IVehicleGrain>(NewVin());
        await grain.ConnectionOpened("s1", DateTimeOffset.UtcNow);
        await grain.CommandChannelOpened("s1", link);
        var first = await grain.SubmitCommand(new CommandRequest(CommandNames.DoorsLock), null);
        Assert.Equal(AckOutcome.Applied, await grain.AckCommand(new CommandAck(first.Command!.Id, CommandAckStatus.Completed, null)));

        // Nothing is open now; the next command starts a queue again and goes straight out.
        var second = await grain.SubmitCommand(new CommandRequest(CommandNames.DoorsUnlock), null);
        await Poll.UntilAsync(() => gateway.Delivered.Count == 2, TimeSpan.FromSeconds(10));

        Assert.Equal(CommandState.Sent, second.Command!.State);
        Assert.Equal(CommandState.Completed, (await grain.GetCommand(first.Command.Id))!.State);
        Assert.Equal(AckOutcome.Applied, await grain.AckCommand(new CommandAck(second.Command.Id, CommandAckStatus.Completed, null)));
        GC.KeepAlive(gateway);
    }

    [Fact]
    public async Task A_reminder_driven_preconditioning_fires_at_the_planned_time_on_the_controllable_clock()
    {
        var vin = NewVin();
        var grain = fixture.Grains.GetGrain<IVehicleGrain>(vin);
        await grain.ApplyTelemetry(Signals(1,
            (SignalCatalogue.CabinAirTemperature, SignalValue.FromNumber(2)),
            (SignalCatalogue.ExteriorAirTemperature, SignalValue.FromNumber(1)),
            (SignalCatalogue.IsChargingCableConnected, SignalValue.FromBoolean(true))));
        var departure = ClusterFixture.Clock.GetUtcNow().AddHours(3);

        var plan = await grain.SetPreconditioning(departure, 21);
        Assert.Equal(PreconditioningState.Scheduled, plan.State);
        Assert.True(plan.StartAt > ClusterFixture.Clock.GetUtcNow());

        // The reminder fires early (as a restarted silo's reminder might): nothing happens before the planned start.
        var remindable = grain.AsReference<IRemindable>();
        await remindable.ReceiveReminder(VehicleGrain.PreconditionReminder, new TickStatus(DateTime.UtcNow, TimeSpan.FromMinutes(1), DateTime.UtcNow));
        Assert.Equal(PreconditioningState.Scheduled, (await grain.GetTwin()).Preconditioning!.State);

        ClusterFixture.Clock.SetUtcNow(plan.StartAt!.Value);
        await remindable.ReceiveReminder(VehicleGrain.PreconditionReminder, new TickStatus(DateTime.UtcNow, TimeSpan.FromMinutes(1), DateTime.UtcNow));

        var twin = await grain.GetTwin();
        Assert.Equal(PreconditioningState.Started, twin.Preconditioning!.State);
        var id = Guid.Parse(twin.Preconditioning.Reason.Split("hvac.precondition ")[1]);
        var command = await grain.GetCommand(id);
        Assert.Equal(CommandNames.HvacPrecondition, command!.Name);
        Assert.Equal(departure, command.ExpiresAt, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Plugging_in_makes_the_grain_plan_again()
    {
        var grain = fixture.Grains.GetGrain<IVehicleGrain>(NewVin());
        await grain.ApplyTelemetry(Signals(1,
            (SignalCatalogue.CabinAirTemperature, SignalValue.FromNumber(5)),
            (SignalCatalogue.StateOfCharge, SignalValue.FromNumber(15)),
            (SignalCatalogue.IsChargingCableConnected, SignalValue.FromBoolean(false))));
        var before = await grain.SetPreconditioning(ClusterFixture.Clock.GetUtcNow().AddHours(5), 22);

        await grain.ApplyTelemetry(Signals(2, (SignalCatalogue.IsChargingCableConnected, SignalValue.FromBoolean(true))));

        var after = (await grain.GetTwin()).Preconditioning!;
        Assert.NotEqual(before.Lead, after.Lead);
        Assert.True(after.Lead > before.Lead, $"plugged in should allow the full lead: {before.Reason} -> {after.Reason}");
    }
}
