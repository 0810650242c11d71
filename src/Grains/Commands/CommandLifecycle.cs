using DigitalTwin.Contract;
using DigitalTwin.Contract.Commands;
using DigitalTwin.Grains.Abstractions.Commands;

namespace DigitalTwin.Grains.Commands;

/// <summary>
/// The life of a command: <c>pending -> sent -> accepted -> completed | rejected | failed</c>, and <c>expired</c> from
/// pending or sent once its time to live has passed. A pending command may also be <c>superseded</c> by a newer one of
/// its kind (see <see cref="CommandPolicy.SupersededBy"/>).
/// <list type="bullet">
/// <item>An ack on a pending or sent command applies directly: an ack proves delivery even when the send was never
/// recorded, and a car may report <c>completed</c> without an <c>accepted</c> first (or that ack was lost).</item>
/// <item>An accepted command can complete or fail, not be rejected; it does not expire, because the car is acting on it.</item>
/// <item>The same status twice is a <see cref="TransitionVerdict.Duplicate"/> (MQTT QoS 1 delivers at least once); an
/// <c>accepted</c> after <c>completed</c> or <c>failed</c> is <see cref="TransitionVerdict.OutOfOrder"/>; anything
/// else after a final state is <see cref="TransitionVerdict.NotAllowed"/>. None of these change the command.</item>
/// </list>
/// The car sees <c>expiresAt</c> in the command document and must not act on an expired command, so an ack arriving for
/// a command already expired here is not allowed to revive it.
/// </summary>
public static class CommandLifecycle
{
    public static bool IsFinal(CommandState state) =>
        state is CommandState.Completed or CommandState.Rejected or CommandState.Failed
            or CommandState.Expired or CommandState.Superseded;

    /// <summary>The command was published to the car.</summary>
    public static CommandTransition OnSent(CommandState current) => current switch
    {
        CommandState.Pending => Applied(CommandState.Sent, "published to the car"),

        // A resend after the car reconnects is expected; the command stays sent.
        CommandState.Sent => new(TransitionVerdict.Duplicate, current, "already sent"),
        _ => NotAllowed(current, $"a command that is {WireName.Of(current)} is not sent"),
    };

    /// <summary>The car acknowledged the command with <paramref name="ack"/>.</summary>
    public static CommandTransition OnAck(CommandState current, CommandAckStatus ack)
    {
        var target = ack switch
        {
            CommandAckStatus.Accepted => CommandState.Accepted,
            CommandAckStatus.Rejected => CommandState.Rejected,
            CommandAckStatus.Completed => CommandState.Completed,
            CommandAckStatus.Failed => CommandState.Failed,
            _ => throw new ArgumentOutOfRangeException(nameof(ack), ack, "not an ack status"),
        };

        if (current == target)
        {
            return new(TransitionVerdict.Duplicate, current, $"already {WireName.Of(current)}");
        }

        return current switch
        {
            CommandState.Pending or CommandState.Sent => Applied(target, $"the car reported {WireName.Of(target)}"),
            CommandState.Accepted when target is CommandState.Completed or CommandState.Failed =>
                Applied(target, $"the car reported {WireName.Of(target)}"),
            CommandState.Accepted => NotAllowed(current, "an accepted command can only complete or fail"),
            CommandState.Completed or CommandState.Failed when target == CommandState.Accepted =>
                new(TransitionVerdict.OutOfOrder, current, $"'accepted' arrived after '{WireName.Of(current)}'"),
            _ => NotAllowed(current, $"the command is already {WireName.Of(current)}"),
        };
    }

    /// <summary>Time passed: a pending or sent command expires once <paramref name="now"/> reaches <paramref name="expiresAt"/>.</summary>
    public static CommandTransition OnClock(CommandState current, DateTimeOffset expiresAt, DateTimeOffset now)
    {
        if (current == CommandState.Expired)
        {
            return new(TransitionVerdict.Duplicate, current, "already expired");
        }

        if (current is not (CommandState.Pending or CommandState.Sent))
        {
            return NotAllowed(current, $"a command that is {WireName.Of(current)} does not expire");
        }

        return now >= expiresAt
            ? Applied(CommandState.Expired, "its time to live passed before the car took it on")
            : NotAllowed(current, "its time to live has not passed");
    }

    /// <summary>A newer command of the same kind replaces this one.</summary>
    public static CommandTransition OnSuperseded(CommandState current) => current switch
    {
        CommandState.Pending => Applied(CommandState.Superseded, "a newer command of the same kind replaced it before it was sent"),
        CommandState.Superseded => new(TransitionVerdict.Duplicate, current, "already superseded"),
        _ => NotAllowed(current, $"a command that is {WireName.Of(current)} has left the queue and cannot be superseded"),
    };

    private static CommandTransition Applied(CommandState state, string reason) => new(TransitionVerdict.Applied, state, reason);

    private static CommandTransition NotAllowed(CommandState current, string reason) => new(TransitionVerdict.NotAllowed, current, reason);
}
