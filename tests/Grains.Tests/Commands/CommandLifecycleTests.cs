using DigitalTwin.Contract;
using DigitalTwin.Contract.Commands;
using DigitalTwin.Grains.Abstractions.Commands;
using DigitalTwin.Grains.Commands;

namespace DigitalTwin.Grains.Tests.Commands;

public sealed class CommandLifecycleTests
{
    private static readonly DateTimeOffset ExpiresAt = new(2026, 11, 24, 6, 10, 0, TimeSpan.Zero);

    [Fact]
    public void Happy_path_goes_pending_sent_accepted_completed()
    {
        var sent = CommandLifecycle.OnSent(CommandState.Pending);
        var accepted = CommandLifecycle.OnAck(sent.State, CommandAckStatus.Accepted);
        var completed = CommandLifecycle.OnAck(accepted.State, CommandAckStatus.Completed);

        Assert.Equal(
            [(TransitionVerdict.Applied, CommandState.Sent), (TransitionVerdict.Applied, CommandState.Accepted), (TransitionVerdict.Applied, CommandState.Completed)],
            new[] { sent, accepted, completed }.Select(t => (t.Verdict, t.State)));
        Assert.True(CommandLifecycle.IsFinal(completed.State));
    }

    [Theory]
    [InlineData(CommandState.Sent, CommandAckStatus.Accepted, CommandState.Accepted)]
    [InlineData(CommandState.Sent, CommandAckStatus.Rejected, CommandState.Rejected)]
    [InlineData(CommandState.Sent, CommandAckStatus.Completed, CommandState.Completed)]
    [InlineData(CommandState.Sent, CommandAckStatus.Failed, CommandState.Failed)]
    [InlineData(CommandState.Pending, CommandAckStatus.Accepted, CommandState.Accepted)]
    [InlineData(CommandState.Pending, CommandAckStatus.Completed, CommandState.Completed)]
    [InlineData(CommandState.Accepted, CommandAckStatus.Completed, CommandState.Completed)]
    [InlineData(CommandState.Accepted, CommandAckStatus.Failed, CommandState.Failed)]
    public void Ack_that_moves_the_command_forward_is_applied(CommandState from, CommandAckStatus ack, CommandState to)
    {
        var transition = CommandLifecycle.OnAck(from, ack);

        Assert.True(transition.IsApplied);
        Assert.Equal(TransitionVerdict.Applied, transition.Verdict);
        Assert.Equal(to, transition.State);
    }

    [Theory]
    [InlineData(CommandState.Accepted, CommandAckStatus.Accepted)]
    [InlineData(CommandState.Completed, CommandAckStatus.Completed)]
    [InlineData(CommandState.Rejected, CommandAckStatus.Rejected)]
    [InlineData(CommandState.Failed, CommandAckStatus.Failed)]
    public void Same_ack_twice_is_a_duplicate_that_changes_nothing(CommandState current, CommandAckStatus ack)
    {
        var transition = CommandLifecycle.OnAck(current, ack);

        Assert.Equal(TransitionVerdict.Duplicate, transition.Verdict);
        Assert.False(transition.IsApplied);
        Assert.Equal(current, transition.State);
    }

    [Theory]
    [InlineData(CommandState.Completed)]
    [InlineData(CommandState.Failed)]
    public void Accepted_arriving_after_the_outcome_is_out_of_order(CommandState current)
    {
        var transition = CommandLifecycle.OnAck(current, CommandAckStatus.Accepted);

        Assert.Equal(TransitionVerdict.OutOfOrder, transition.Verdict);
        Assert.Equal(current, transition.State);
    }

    [Theory]
    [InlineData(CommandState.Accepted, CommandAckStatus.Rejected)]
    [InlineData(CommandState.Completed, CommandAckStatus.Failed)]
    [InlineData(CommandState.Completed, CommandAckStatus.Rejected)]
    [InlineData(CommandState.Failed, CommandAckStatus.Completed)]
    [InlineData(CommandState.Rejected, CommandAckStatus.Accepted)]
    [InlineData(CommandState.Rejected, CommandAckStatus.Completed)]
    [InlineData(CommandState.Expired, CommandAckStatus.Accepted)]
    [InlineData(CommandState.Expired, CommandAckStatus.Completed)]
    [InlineData(CommandState.Superseded, CommandAckStatus.Accepted)]
    public void Ack_that_contradicts_the_command_state_is_not_allowed(CommandState current, CommandAckStatus ack)
    {
        var transition = CommandLifecycle.OnAck(current, ack);

        Assert.Equal(TransitionVerdict.NotAllowed, transition.Verdict);
        Assert.Equal(current, transition.State);
        Assert.False(string.IsNullOrWhiteSpace(transition.Reason));
    }

    [Theory]
    [InlineData(CommandState.Pending)]
    [InlineData(CommandState.Sent)]
    public void Pending_or_sent_command_expires_once_its_ttl_has_passed(CommandState current)
    {
        var early = CommandLifecycle.OnClock(current, ExpiresAt, ExpiresAt.AddMilliseconds(-1));
        var due = CommandLifecycle.OnClock(current, ExpiresAt, ExpiresAt);

        Assert.Equal(TransitionVerdict.NotAllowed, early.Verdict);
        Assert.Equal(current, early.State);
        Assert.Equal(TransitionVerdict.Applied, due.Verdict);
        Assert.Equal(CommandState.Expired, due.State);
    }

    [Theory]
    [InlineData(CommandState.Accepted)]
    [InlineData(CommandState.Completed)]
    [InlineData(CommandState.Rejected)]
    [InlineData(CommandState.Failed)]
    [InlineData(CommandState.Superseded)]
    public void Accepted_or_finished_command_does_not_expire(CommandState current)
    {
        var transition = CommandLifecycle.OnClock(current, ExpiresAt, ExpiresAt.AddHours(5));

        Assert.Equal(TransitionVerdict.NotAllowed, transition.Verdict);
        Assert.Equal(current, transition.State);
    }

    [Fact]
    public void Expiry_checked_twice_is_a_duplicate()
    {
        Assert.Equal(TransitionVerdict.Duplicate, CommandLifecycle.OnClock(CommandState.Expired, ExpiresAt, ExpiresAt.AddHours(1)).Verdict);
    }

    [Fact]
    public void Sending_applies_only_to_a_pending_command_and_a_resend_is_a_duplicate()
    {
        Assert.Equal(TransitionVerdict.Duplicate, CommandLifecycle.OnSent(CommandState.Sent).Verdict);
        Assert.Equal(TransitionVerdict.NotAllowed, CommandLifecycle.OnSent(CommandState.Accepted).Verdict);
        Assert.Equal(TransitionVerdict.NotAllowed, CommandLifecycle.OnSent(CommandState.Expired).Verdict);
        Assert.Equal(CommandState.Expired, CommandLifecycle.OnSent(CommandState.Expired).State);
    }

    [Fact]
    public void Only_a_pending_command_can_be_superseded()
    {
        Assert.Equal(CommandState.Superseded, CommandLifecycle.OnSuperseded(CommandState.Pending).State);
        Assert.Equal(TransitionVerdict.Duplicate, CommandLifecycle.OnSuperseded(CommandState.Superseded).Verdict);
        Assert.Equal(TransitionVerdict.NotAllowed, CommandLifecycle.OnSuperseded(CommandState.Sent).Verdict);
        Assert.Equal(CommandState.Sent, CommandLifecycle.OnSuperseded(CommandState.Sent).State);
    }

    [Theory]
    [InlineData("accepted", CommandAckStatus.Accepted)]
    [InlineData("rejected", CommandAckStatus.Rejected)]
    [InlineData("completed", CommandAckStatus.Completed)]
    [InlineData("failed", CommandAckStatus.Failed)]
    public void Ack_status_words_of_the_contract_are_read(string status, CommandAckStatus expected)
    {
        Assert.True(WireName.TryParse(status, out CommandAckStatus ack));
        Assert.Equal(expected, ack);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Accepted")]
    [InlineData("done")]
    [InlineData("pending")]
    [InlineData("expired")]
    public void Anything_else_is_not_an_ack_status(string? status)
    {
        Assert.False(WireName.TryParse(status, out CommandAckStatus _));
    }

    [Theory]
    [InlineData(CommandState.Pending, "pending", false)]
    [InlineData(CommandState.Sent, "sent", false)]
    [InlineData(CommandState.Accepted, "accepted", false)]
    [InlineData(CommandState.Completed, "completed", true)]
    [InlineData(CommandState.Rejected, "rejected", true)]
    [InlineData(CommandState.Failed, "failed", true)]
    [InlineData(CommandState.Expired, "expired", true)]
    [InlineData(CommandState.Superseded, "superseded", true)]
    public void States_have_contract_names_and_the_final_ones_are_known(CommandState state, string wire, bool final)
    {
        Assert.Equal(wire, WireName.Of(state));
        Assert.Equal(final, CommandLifecycle.IsFinal(state));
    }
}
