using DigitalTwin.Contract.Commands;
using DigitalTwin.Grains.Abstractions.Commands;
using DigitalTwin.Grains.Commands;

namespace DigitalTwin.Grains.Tests.Commands;

public sealed class CommandQueueTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    private static VehicleCommand Command(string name, int createdSecond = 0, int ttlSeconds = 600) =>
        new(Guid.NewGuid(), name, "{}", T0.AddSeconds(createdSecond), T0.AddSeconds(createdSecond + ttlSeconds), CommandState.Pending);

    [Fact]
    public void A_newer_command_of_the_same_kind_supersedes_an_unsent_one()
    {
        var queue = new CommandQueue();
        var first = Command(CommandNames.HvacPrecondition, 0);
        var second = Command(CommandNames.HvacPrecondition, 1);
        queue.Enqueue(first, T0);

        var changed = queue.Enqueue(second, T0.AddSeconds(1));

        Assert.Equal(CommandState.Superseded, changed.Single(c => c.Id == first.Id).State);
        Assert.Equal(second.Id, Assert.Single(queue.Open).Id);
    }

    [Fact]
    public void Commands_of_other_kinds_wait_side_by_side_and_go_out_in_order()
    {
        var queue = new CommandQueue();
        var unlock = Command(CommandNames.DoorsUnlock, 0);
        var charge = Command(CommandNames.ChargingStart, 1);
        queue.Enqueue(unlock, T0);
        queue.Enqueue(charge, T0.AddSeconds(1));

        var delivered = queue.TakeForDelivery(T0.AddSeconds(2));

        Assert.Equal(new[] { unlock.Id, charge.Id }, delivered.Select(c => c.Id));
        Assert.All(delivered, c => Assert.Equal(CommandState.Sent, c.State));
    }

    [Fact]
    public void A_sent_command_the_car_never_answered_is_sent_again_on_reconnect_but_not_an_accepted_one()
    {
        var queue = new CommandQueue();
        var a = Command(CommandNames.DoorsLock);
        var b = Command(CommandNames.ChargingStop, 1);
        queue.Enqueue(a, T0);
        queue.Enqueue(b, T0);
        queue.TakeForDelivery(T0);
        queue.Ack(new CommandAck(a.Id, CommandAckStatus.Accepted, null), T0);

        var again = queue.TakeForDelivery(T0.AddSeconds(5));

        Assert.Equal(b.Id, Assert.Single(again).Id);
    }

    [Fact]
    public void Acks_move_a_command_to_its_final_state_and_it_leaves_the_queue()
    {
        var queue = new CommandQueue();
        var c = Command(CommandNames.DoorsLock);
        queue.Enqueue(c, T0);
        queue.TakeForDelivery(T0);

        var accepted = queue.Ack(new CommandAck(c.Id, CommandAckStatus.Accepted, null), T0);
        var duplicate = queue.Ack(new CommandAck(c.Id, CommandAckStatus.Accepted, null), T0);
        var completed = queue.Ack(new CommandAck(c.Id, CommandAckStatus.Completed, "locked"), T0);

        Assert.Equal(AckOutcome.Applied, accepted.Outcome);
        Assert.Equal(AckOutcome.Duplicate, duplicate.Outcome);
        Assert.Equal(AckOutcome.Applied, completed.Outcome);
        Assert.Equal(CommandState.Completed, completed.Command!.State);
        Assert.Equal("locked", completed.Command.Reason);
        Assert.Empty(queue.Open);
    }

    [Fact]
    public void An_ack_for_an_unknown_id_is_unknown()
    {
        Assert.Equal(AckOutcome.Unknown, new CommandQueue().Ack(new CommandAck(Guid.NewGuid(), CommandAckStatus.Completed, null), T0).Outcome);
    }

    [Fact]
    public void Expiry_takes_pending_and_sent_commands_whose_ttl_passed_and_nothing_else()
    {
        var queue = new CommandQueue();
        var shortLived = Command(CommandNames.DoorsLock, 0, ttlSeconds: 10);
        var longLived = Command(CommandNames.ChargingStart, 0, ttlSeconds: 1000);
        queue.Enqueue(shortLived, T0);
        queue.Enqueue(longLived, T0);

        Assert.Empty(queue.Expire(T0.AddSeconds(9)));
        var expired = queue.Expire(T0.AddSeconds(11));

        Assert.Equal(shortLived.Id, Assert.Single(expired).Id);
        Assert.Equal(CommandState.Expired, expired[0].State);
        Assert.Equal(T0.AddSeconds(1000), queue.NextExpiry);
    }

    [Fact]
    public void An_expired_command_is_never_delivered()
    {
        var queue = new CommandQueue();
        queue.Enqueue(Command(CommandNames.DoorsLock, 0, ttlSeconds: 5), T0);

        Assert.Empty(queue.TakeForDelivery(T0.AddSeconds(6)));
    }

    [Fact]
    public void A_queue_resumed_from_storage_keeps_only_open_commands_in_order()
    {
        var older = Command(CommandNames.DoorsLock, 0);
        var newer = Command(CommandNames.ChargingStart, 5);
        var done = Command(CommandNames.HvacStop, 1) with { State = CommandState.Completed };

        var queue = new CommandQueue([newer, done, older]);

        Assert.Equal(new[] { older.Id, newer.Id }, queue.Open.Select(c => c.Id));
    }
}
