using DigitalTwin.Contract.Commands;
using DigitalTwin.Grains.Abstractions.Commands;

namespace DigitalTwin.Grains.Commands;

/// <summary>
/// One car's open commands, in the order they were created, and the rules that move them: a newer command of
/// a kind supersedes an older unsent one, sending takes pending and unacknowledged commands in order, acks
/// follow <see cref="CommandLifecycle"/>, and the clock expires what outlived its TTL. Every method returns the
/// commands it changed, for the grain to store and publish.
/// </summary>
public sealed class CommandQueue
{
    private readonly List<VehicleCommand> _open;

    public CommandQueue(IEnumerable<VehicleCommand>? open = null) =>
        _open = (open ?? []).Where(c => !CommandLifecycle.IsFinal(c.State)).OrderBy(c => c.CreatedAt).ToList();

    public IReadOnlyList<VehicleCommand> Open => _open;

    /// <summary>When the earliest open command expires; null when none is open.</summary>
    public DateTimeOffset? NextExpiry => _open.Count == 0 ? null : _open.Min(c => c.ExpiresAt);

    public VehicleCommand? Find(Guid id) => _open.FirstOrDefault(c => c.Id == id);

    public IReadOnlyList<VehicleCommand> Enqueue(VehicleCommand command, DateTimeOffset now)
    {
        var changed = new List<VehicleCommand>();
        foreach (var old in CommandPolicy.SupersededBy(command, _open))
        {
            var transition = CommandLifecycle.OnSuperseded(old.State);
            if (transition.IsApplied)
            {
                changed.Add(Replace(old, old with { State = transition.State, Reason = $"superseded by {command.Id}", UpdatedAt = now }));
            }
        }

        var queued = command with { UpdatedAt = now };
        _open.Add(queued);
        changed.Add(queued);
        return changed;
    }

    /// <summary>
    /// What to (re)send to a car that can hear commands now: pending ones, and sent ones it never answered
    /// (a car that lost its session may have lost them; it recognises a repeat by the id).
    /// </summary>
    public IReadOnlyList<VehicleCommand> TakeForDelivery(DateTimeOffset now)
    {
        var deliver = new List<VehicleCommand>();
        foreach (var command in _open.ToList())
        {
            if (command.ExpiresAt <= now)
            {
                continue;
            }

            if (command.State == CommandState.Pending)
            {
                var sent = CommandLifecycle.OnSent(command.State);
                deliver.Add(Replace(command, command with { State = sent.State, UpdatedAt = now }));
            }
            else if (command.State == CommandState.Sent)
            {
                deliver.Add(command);
            }
        }

        return deliver;
    }

    public (AckOutcome Outcome, VehicleCommand? Command) Ack(CommandAck ack, DateTimeOffset now)
    {
        var command = Find(ack.Id);
        if (command is null)
        {
            return (AckOutcome.Unknown, null);
        }

        var transition = CommandLifecycle.OnAck(command.State, ack.Status);
        return transition.Verdict switch
        {
            TransitionVerdict.Applied => (AckOutcome.Applied, Replace(command, command with { State = transition.State, Reason = ack.Reason ?? command.Reason, UpdatedAt = now })),
            TransitionVerdict.Duplicate => (AckOutcome.Duplicate, command),
            _ => (AckOutcome.NotAllowed, command),
        };
    }

    public IReadOnlyList<VehicleCommand> Expire(DateTimeOffset now)
    {
        var changed = new List<VehicleCommand>();
        foreach (var command in _open.ToList())
        {
            var transition = CommandLifecycle.OnClock(command.State, command.ExpiresAt, now);
            if (transition.IsApplied)
            {
                changed.Add(Replace(command, command with { State = transition.State, Reason = "the TTL passed before the car answered", UpdatedAt = now }));
            }
        }

        return changed;
    }

    /// <summary>Final commands leave the queue; the store keeps them.</summary>
    private VehicleCommand Replace(VehicleCommand old, VehicleCommand updated)
    {
        var index = _open.FindIndex(c => c.Id == old.Id);
        if (CommandLifecycle.IsFinal(updated.State))
        {
            _open.RemoveAt(index);
        }
        else
        {
            _open[index] = updated;
        }

        return updated;
    }
}
