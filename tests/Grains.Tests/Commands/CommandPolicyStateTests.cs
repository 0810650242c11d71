using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Commands;
using DigitalTwin.Grains.Abstractions.Telemetry;
using DigitalTwin.Grains.Commands;

namespace DigitalTwin.Grains.Tests.Commands;

/// <summary>Guards by the twin's known state, and the supersede rule for queued commands.</summary>
public sealed class CommandPolicyStateTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 6, 0, 0, TimeSpan.Zero);

    private readonly CommandPolicy _policy = new();

    private static Dictionary<string, SignalReading> Twin(params (string Name, SignalValue Value)[] signals) =>
        signals.ToDictionary(s => s.Name, s => new SignalReading(s.Value, 1_764_028_800_000));

    [Fact]
    public void Charging_start_without_a_connected_cable_is_a_conflict_with_a_reason()
    {
        var twin = Twin((SignalCatalogue.IsChargingCableConnected, SignalValue.FromBoolean(false)));

        var decision = _policy.Decide(new CommandRequest("charging.start"), twin, Guid.NewGuid(), Now);

        Assert.Equal(CommandVerdict.Conflict, decision.Verdict);
        Assert.Null(decision.Command);
        Assert.Contains("cable is not connected", decision.Conflict);
    }

    [Fact]
    public void Charging_start_with_the_cable_connected_is_allowed()
    {
        var twin = Twin((SignalCatalogue.IsChargingCableConnected, SignalValue.FromBoolean(true)));

        Assert.Equal(CommandVerdict.Allowed, _policy.Decide(new CommandRequest("charging.start"), twin, Guid.NewGuid(), Now).Verdict);
    }

    [Fact]
    public void Charging_stop_without_a_cable_is_not_guarded()
    {
        var twin = Twin((SignalCatalogue.IsChargingCableConnected, SignalValue.FromBoolean(false)));

        Assert.Null(_policy.CheckState("charging.stop", twin));
    }

    [Theory]
    [InlineData(50.0)]
    [InlineData(3.1)]
    [InlineData(-10.0)]
    public void Doors_unlock_while_moving_forwards_or_backwards_is_a_conflict(double speed)
    {
        var twin = Twin((SignalCatalogue.Speed, SignalValue.FromNumber(speed)));

        var conflict = _policy.CheckState("doors.unlock", twin);

        Assert.NotNull(conflict);
        Assert.Contains("moving", conflict);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(2.0)]
    [InlineData(3.0)]
    [InlineData(-3.0)]
    public void Doors_unlock_at_walking_pace_or_standstill_is_allowed(double speed)
    {
        var twin = Twin((SignalCatalogue.Speed, SignalValue.FromNumber(speed)));

        Assert.Null(_policy.CheckState("doors.unlock", twin));
    }

    [Fact]
    public void Moving_threshold_comes_from_the_options()
    {
        var twin = Twin((SignalCatalogue.Speed, SignalValue.FromNumber(8)));

        Assert.NotNull(_policy.CheckState("doors.unlock", twin));
        Assert.Null(new CommandPolicy(new CommandPolicyOptions { MovingSpeedKmh = 10 }).CheckState("doors.unlock", twin));
    }

    [Fact]
    public void Doors_lock_while_moving_is_allowed()
    {
        var twin = Twin((SignalCatalogue.Speed, SignalValue.FromNumber(120)));

        Assert.Equal(CommandVerdict.Allowed, _policy.Decide(new CommandRequest("doors.lock"), twin, Guid.NewGuid(), Now).Verdict);
    }

    [Theory]
    [InlineData("charging.start")]
    [InlineData("doors.unlock")]
    public void State_the_car_never_reported_does_not_block_a_command(string name)
    {
        var unrelated = Twin((SignalCatalogue.ExteriorAirTemperature, SignalValue.FromNumber(4)));

        Assert.Equal(CommandVerdict.Allowed, _policy.Decide(new CommandRequest(name), unrelated, Guid.NewGuid(), Now).Verdict);
    }

    [Fact]
    public void Signal_of_the_wrong_type_counts_as_unknown_state()
    {
        var twin = Twin(
            (SignalCatalogue.Speed, SignalValue.FromText("fast")),
            (SignalCatalogue.IsChargingCableConnected, SignalValue.FromNumber(0)));

        Assert.Null(_policy.CheckState("doors.unlock", twin));
        Assert.Null(_policy.CheckState("charging.start", twin));
    }

    [Fact]
    public void Invalid_request_is_reported_as_invalid_even_when_the_state_would_also_conflict()
    {
        var twin = Twin((SignalCatalogue.Speed, SignalValue.FromNumber(80)));

        var decision = _policy.Decide(new CommandRequest("doors.unlock", """{"now": true}"""), twin, Guid.NewGuid(), Now);

        Assert.Equal(CommandVerdict.Invalid, decision.Verdict);
        Assert.Null(decision.Conflict);
    }

    [Theory]
    [InlineData("hvac.precondition", "hvac.precondition", true)]
    [InlineData("hvac.precondition", "hvac.stop", true)]
    [InlineData("charging.start", "charging.stop", true)]
    [InlineData("charging.stop", "charging.start", true)]
    [InlineData("doors.unlock", "doors.lock", true)]
    [InlineData("charging.setLimit", "charging.setLimit", true)]
    [InlineData("charging.setLimit", "charging.start", false)]
    [InlineData("hvac.precondition", "doors.lock", false)]
    [InlineData("emergency.ack", "emergency.ack", false)]
    public void Newer_command_of_the_same_kind_supersedes_an_older_pending_one(string older, string newer, bool superseded)
    {
        var queued = Command(older, Now.AddMinutes(-5));
        var incoming = Command(newer, Now);

        var replaced = CommandPolicy.SupersededBy(incoming, [queued]);

        if (superseded)
        {
            Assert.Equal(queued, Assert.Single(replaced));
        }
        else
        {
            Assert.Empty(replaced);
        }
    }

    [Fact]
    public void Only_the_latest_precondition_set_point_is_left_for_a_car_that_wakes_up()
    {
        var at19 = Command("hvac.precondition", Now.AddMinutes(-30), """{"targetTemperatureC":19}""");
        var at21 = Command("hvac.precondition", Now.AddMinutes(-20), """{"targetTemperatureC":21}""");
        var lockDoors = Command("doors.lock", Now.AddMinutes(-10));
        var at23 = Command("hvac.precondition", Now, """{"targetTemperatureC":23}""");
        var queue = new List<VehicleCommand> { at19, at21, lockDoors };

        var replaced = CommandPolicy.SupersededBy(at23, queue);
        var left = queue.Except(replaced).Append(at23).ToList();

        Assert.Equal([at19, at21], replaced);
        Assert.Equal([lockDoors, at23], left);
    }

    [Theory]
    [InlineData(CommandState.Sent)]
    [InlineData(CommandState.Accepted)]
    [InlineData(CommandState.Completed)]
    [InlineData(CommandState.Expired)]
    public void Command_that_left_the_queue_is_not_superseded(CommandState state)
    {
        var sent = Command("charging.start", Now.AddMinutes(-5)) with { State = state };

        Assert.Empty(CommandPolicy.SupersededBy(Command("charging.stop", Now), [sent]));
    }

    [Fact]
    public void Incoming_command_older_than_a_queued_one_does_not_supersede_it()
    {
        var newer = Command("doors.lock", Now);
        var older = Command("doors.unlock", Now.AddSeconds(-1));

        Assert.Empty(CommandPolicy.SupersededBy(older, [newer]));
    }

    [Fact]
    public void Command_does_not_supersede_itself()
    {
        var command = Command("hvac.stop", Now);

        Assert.Empty(CommandPolicy.SupersededBy(command, [command]));
    }

    [Theory]
    [InlineData("hvac.precondition", "hvac")]
    [InlineData("hvac.stop", "hvac")]
    [InlineData("doors.lock", "doors")]
    [InlineData("doors.unlock", "doors")]
    [InlineData("charging.start", "charging")]
    [InlineData("charging.stop", "charging")]
    [InlineData("charging.setLimit", "charging.limit")]
    [InlineData("emergency.ack", null)]
    [InlineData("unknown.command", null)]
    public void Kind_groups_commands_that_act_on_the_same_thing(string name, string? kind)
    {
        Assert.Equal(kind, CommandPolicy.KindOf(name));
    }

    private static VehicleCommand Command(string name, DateTimeOffset createdAt, string paramsJson = "{}") =>
        new(Guid.NewGuid(), name, paramsJson, createdAt, createdAt.AddMinutes(10), CommandState.Pending);
}
