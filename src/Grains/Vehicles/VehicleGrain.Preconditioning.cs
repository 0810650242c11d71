using DigitalTwin.Contract.Commands;
using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Commands;
using DigitalTwin.Grains.Abstractions.Preconditioning;
using DigitalTwin.Grains.Commands;
using DigitalTwin.Grains.Preconditioning;

namespace DigitalTwin.Grains.Vehicles;

/// <summary>
/// Cabin preconditioning: <see cref="PreconditioningPlanner"/> decides when to start; an Orleans reminder wakes
/// the grain then (durable with the ADO.NET reminder table, so a restarted silo still fires it), and the start is
/// an ordinary <c>hvac.precondition</c> command that waits for an offline car until the departure.
/// </summary>
public sealed partial class VehicleGrain
{
    public const string PreconditionReminder = "precondition";

    /// <summary>A change of this many degrees in the cabin or outside makes the grain plan again.</summary>
    private const double ReplanTemperatureDelta = 3;

    // A reference, null for the many twins without a plan: as a nullable struct it took 48 bytes in every grain.
    private PlanInputs? _plannedWith;

    // Made for each plan, not held by every grain: it keeps nothing between plans, and plans are rare.
    private PreconditioningPlanner Planner => new(preconditioningOptions.Value);

    public async ValueTask<PreconditioningPlan> SetPreconditioning(DateTimeOffset departureAt, double targetTemperatureC)
    {
        var plan = Planner.Plan(departureAt, targetTemperatureC, time.GetUtcNow(), _state.Signals);
        await ApplyPlanAsync(plan);
        return _state.Preconditioning!;
    }

    public async ValueTask<bool> CancelPreconditioning()
    {
        if (_state.Preconditioning is null)
        {
            return false;
        }

        await UnregisterPreconditionReminderAsync();
        _state.SetPreconditioning(null);
        _plannedWith = null;
        await ChangedAsync();
        return true;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != PreconditionReminder)
        {
            return;
        }

        var plan = _state.Preconditioning;
        if (plan is not { State: PreconditioningState.Scheduled, StartAt: { } startAt })
        {
            await UnregisterPreconditionReminderAsync();
            return;
        }

        // Reminders are coarse; the domain clock decides whether the planned start has come.
        if (time.GetUtcNow() >= startAt)
        {
            await StartPreconditioningAsync(plan);
        }
    }

    private async ValueTask ApplyPlanAsync(PreconditioningPlan plan)
    {
        _plannedWith = PlanInputs.Of(_state);
        if (plan.State == PreconditioningState.Started)
        {
            await StartPreconditioningAsync(plan);
            return;
        }

        if (plan is { State: PreconditioningState.Scheduled, StartAt: { } startAt })
        {
            var due = startAt - time.GetUtcNow();
            await this.RegisterOrUpdateReminder(PreconditionReminder, due < TimeSpan.Zero ? TimeSpan.Zero : due, TimeSpan.FromMinutes(1));
        }
        else
        {
            await UnregisterPreconditionReminderAsync();
        }

        _state.SetPreconditioning(plan);
        await ChangedAsync();
    }

    private async ValueTask StartPreconditioningAsync(PreconditioningPlan plan)
    {
        var now = time.GetUtcNow();
        var parameters = CommandParameters.HvacPrecondition(plan.TargetTemperatureC, plan.DepartureAt);
        var ttl = (int)Math.Clamp(Math.Ceiling((plan.DepartureAt - now).TotalSeconds), CommandPolicy.MinTtlSeconds, CommandPolicy.MaxTtlSeconds);

        // Keyed by the departure, so a reminder that fires twice cannot send two commands.
        var decision = await SubmitCommand(
            new CommandRequest(CommandNames.HvacPrecondition, parameters, ttl),
            $"precondition-{plan.DepartureAt.ToUnixTimeMilliseconds()}");
        await UnregisterPreconditionReminderAsync();

        var started = decision.Verdict == CommandVerdict.Allowed
            ? plan with { State = PreconditioningState.Started, StartAt = plan.StartAt ?? now, Reason = $"{plan.Reason}; started: hvac.precondition {decision.Command!.Id}" }
            : plan with { State = PreconditioningState.Refused, Reason = $"{plan.Reason}; the car refused hvac.precondition: {decision.Conflict ?? string.Join(", ", decision.Errors.Select(e => e.Reason))}" };
        _state.SetPreconditioning(started);
        await ChangedAsync();
    }

    /// <summary>Plans again when the picture changed: plugged in or out, or much colder or warmer.</summary>
    private async ValueTask ReplanIfChangedAsync()
    {
        var plan = _state.Preconditioning;
        if (plan is not { State: PreconditioningState.Scheduled } || _plannedWith is not { } before)
        {
            return;
        }

        var now = PlanInputs.Of(_state);
        if (now.PluggedIn == before.PluggedIn
            && !Moved(before.ExteriorC, now.ExteriorC)
            && !Moved(before.CabinC, now.CabinC))
        {
            return;
        }

        await ApplyPlanAsync(Planner.Plan(plan.DepartureAt, plan.TargetTemperatureC, time.GetUtcNow(), _state.Signals));
    }

    private static bool Moved(double? before, double? now) =>
        before.HasValue != now.HasValue || (before is { } b && now is { } n && Math.Abs(b - n) >= ReplanTemperatureDelta);

    private async ValueTask UnregisterPreconditionReminderAsync()
    {
        if (await this.GetReminder(PreconditionReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private sealed record PlanInputs(bool PluggedIn, double? ExteriorC, double? CabinC)
    {
        public static PlanInputs Of(TwinState state) => new(
            state.Signals.TryGetValue(SignalCatalogue.IsChargingCableConnected, out var plugged) && plugged.Value.AsBoolean,
            state.Signals.TryGetValue(SignalCatalogue.ExteriorAirTemperature, out var outside) ? outside.Value.Number : null,
            state.Signals.TryGetValue(SignalCatalogue.CabinAirTemperature, out var cabin) ? cabin.Value.Number : null);
    }
}
