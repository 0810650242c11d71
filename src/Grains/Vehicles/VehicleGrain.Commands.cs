using DigitalTwin.Contract.Commands;
using DigitalTwin.Grains.Abstractions.Commands;
using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Grains.Commands;

namespace DigitalTwin.Grains.Vehicles;

/// <summary>
/// Cloud-to-car commands: decided by <see cref="CommandPolicy"/>, queued by <see cref="CommandQueue"/>, stored
/// before the API answers 202, sent in order whenever the car listens, expired when their TTL passes.
/// </summary>
public sealed partial class VehicleGrain
{
    // Null while no command is open, as for almost every idle twin: a queue is made for the first one.
    private CommandQueue? _commands;
    private IGrainTimer? _expiryTimer;

    private async ValueTask LoadOpenCommandsAsync(CancellationToken cancellationToken)
    {
        var open = await commands.LoadOpenAsync(_state.Vin, cancellationToken);
        _commands = open.Count == 0 ? null : new CommandQueue(open);
        ArmExpiryTimer();
    }

    public async ValueTask<CommandDecision> SubmitCommand(CommandRequest request, string? idempotencyKey)
    {
        if (idempotencyKey is not null
            && (_commands?.Open.FirstOrDefault(c => c.IdempotencyKey == idempotencyKey)
                ?? await commands.FindByIdempotencyKeyAsync(_state.Vin, idempotencyKey, CancellationToken.None)) is { } earlier)
        {
            return CommandDecision.Allowed(earlier);
        }

        var now = time.GetUtcNow();
        // Made for each command, not held by every grain: it keeps nothing between commands.
        var decision = new CommandPolicy(commandOptions.Value).Decide(request, _state.Signals, Guid.NewGuid(), now);
        if (decision.Verdict != CommandVerdict.Allowed)
        {
            return decision;
        }

        var command = decision.Command! with { IdempotencyKey = idempotencyKey };
        _commands ??= new CommandQueue();
        await SaveAndPublishAsync(_commands.Enqueue(command, now));
        await DeliverCommandsAsync();
        ArmExpiryTimer();
        return CommandDecision.Allowed(_commands?.Find(command.Id) ?? command);
    }

    public async ValueTask<VehicleCommand?> GetCommand(Guid id) =>
        _commands?.Find(id) ?? await commands.GetAsync(_state.Vin, id, CancellationToken.None);

    public async ValueTask<AckOutcome> AckCommand(CommandAck ack)
    {
        var (outcome, command) = _commands?.Ack(ack, time.GetUtcNow()) ?? (AckOutcome.Unknown, null);
        if (outcome == AckOutcome.Unknown)
        {
            // A command that already finished has left the queue; an ack for it is a repeat or too late.
            var stored = await commands.GetAsync(_state.Vin, ack.Id, CancellationToken.None);
            return stored is null
                ? AckOutcome.Unknown
                : CommandLifecycle.OnAck(stored.State, ack.Status).Verdict == TransitionVerdict.Duplicate ? AckOutcome.Duplicate : AckOutcome.NotAllowed;
        }

        if (outcome == AckOutcome.Applied)
        {
            await SaveAndPublishAsync([command!]);
            ArmExpiryTimer();
        }

        return outcome;
    }

    private async ValueTask DeliverCommandsAsync()
    {
        if (!IsCarListening || _commands is null)
        {
            return;
        }

        var deliver = _commands.TakeForDelivery(time.GetUtcNow());
        await SaveAndPublishAsync(deliver);
        foreach (var command in deliver)
        {
            await SendToCarAsync(new CommandMessage(_state.Vin, command.Id, command.Name, command.ParamsJson, command.ExpiresAt));
        }
    }

    private async ValueTask SaveAndPublishAsync(IReadOnlyList<VehicleCommand> changed)
    {
        foreach (var command in changed)
        {
            await commands.SaveAsync(_state.Vin, command, CancellationToken.None);
            await PublishEventAsync(new CommandChanged(_state.Bump(), command));
        }
    }

    /// <summary>One timer at the earliest expiry, not one per command.</summary>
    private void ArmExpiryTimer()
    {
        _expiryTimer?.Dispose();
        _expiryTimer = null;
        if (_commands?.NextExpiry is not { } next)
        {
            // Nothing open: the twin goes back to holding no queue at all.
            _commands = null;
            return;
        }

        var due = next - time.GetUtcNow();
        _expiryTimer = this.RegisterGrainTimer(
            static (grain, _) => grain.OnExpiryTimer(),
            this,
            new GrainTimerCreationOptions(due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan) { KeepAlive = true });
    }

    private async Task OnExpiryTimer()
    {
        await SaveAndPublishAsync(_commands?.Expire(time.GetUtcNow()) ?? []);
        ArmExpiryTimer();
    }
}
