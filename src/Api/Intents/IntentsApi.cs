using System.Globalization;
using DigitalTwin.Api.Problems;
using DigitalTwin.Contract.Commands;
using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Commands;
using DigitalTwin.Grains.Abstractions.Preconditioning;
using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Grains.Commands;
using DigitalTwin.Grains.Intents;
using DigitalTwin.Grains.Preconditioning;
using DigitalTwin.Views;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Api.Intents;

/// <summary>
/// The voice-assistant bridge: an utterance or a structured intent becomes an answer to speak and, for an action, a
/// command started through the twin's own command lifecycle and guards (or a preconditioning plan). Words it does not
/// understand get a helpful answer (200), not an error; a request that is not one (no utterance and no intent, an
/// unknown structured intent or slot) is a 400.
/// </summary>
public static class IntentsApi
{
    /// <summary>VSS 4.0: the driver's door lock, the usual "is my car locked" answer.</summary>
    public const string DriverDoorLocked = "Vehicle.Cabin.Door.Row1.DriverSide.IsLocked";

    /// <summary>VSS 4.0: remaining range, metres.</summary>
    public const string RangeSignal = "Vehicle.Powertrain.Range";

    /// <summary>A warm-up asked for without a temperature.</summary>
    public const double DefaultTemperatureC = 21;

    private const string Help = "You can ask me to lock or unlock your car, warm it up to 21 degrees at 7:30, start or stop charging, set the charge limit to 80 percent, or ask for its battery level, its range, where it is, or whether it is locked.";

    /// <summary>Maps onto the vehicle group, so the VIN gate and the single ownership check apply.</summary>
    public static RouteGroupBuilder MapIntentsApi(this RouteGroupBuilder vehicle)
    {
        vehicle.MapPost("/intents", Handle)
            .WithTags("Intents")
            .WithName("HandleIntent")
            .WithSummary("Voice-assistant bridge: an utterance or a structured intent, answered with a sentence to speak and the command it started");
        return vehicle;
    }

    internal static async Task<Results<Ok<IntentAnswerDto>, ValidationProblem>> Handle(
        string vin,
        IntentRequest request,
        IGrainFactory grains,
        TimeProvider time,
        IOptions<CommandPolicyOptions> commandOptions)
    {
        if ((request.Utterance is null) == (request.Intent is null))
        {
            return ValidationProblems.For("utterance", "give either an utterance or an intent (with its slots), not both and not neither");
        }

        var zone = TimeZoneInfo.Utc;
        if (request.TimeZone is not null && (request.TimeZone.Length > 64 || !TimeZoneInfo.TryFindSystemTimeZoneById(request.TimeZone, out zone)))
        {
            return ValidationProblems.For("timeZone", "an IANA time zone such as Europe/Berlin");
        }

        var parsed = request.Utterance is not null ? IntentGrammar.Parse(request.Utterance) : IntentGrammar.FromStructured(request.Intent, request.Slots);
        if (parsed.Problem is not null)
        {
            return ValidationProblems.For(request.Utterance is not null ? "utterance" : "intent", parsed.Problem);
        }

        if (parsed.Outcome == IntentParseOutcome.Unknown)
        {
            return TypedResults.Ok(new IntentAnswerDto(null, "notUnderstood", "Sorry, I didn't understand that. " + Help));
        }

        if (parsed.Outcome == IntentParseOutcome.Ambiguous)
        {
            var options = string.Join(" or ", parsed.Candidates.Select(Describe));
            return TypedResults.Ok(new IntentAnswerDto(null, "ambiguous", $"Did you want me to {options}? Please ask for one thing at a time."));
        }

        var name = parsed.Name!.Value;
        var answer = await ExecuteAsync(vin, name, parsed.Slots, zone!, grains, time, commandOptions.Value);
        return TypedResults.Ok(answer with { Intent = name.ToString() });
    }

    private static async Task<IntentAnswerDto> ExecuteAsync(
        string vin, IntentName name, IntentSlots slots, TimeZoneInfo zone, IGrainFactory grains, TimeProvider time, CommandPolicyOptions commandOptions)
    {
        switch (name)
        {
            case IntentName.LockDoors:
                return await CommandAsync(grains, vin, CommandNames.DoorsLock, null, "Locking your car.");
            case IntentName.UnlockDoors:
                return await CommandAsync(grains, vin, CommandNames.DoorsUnlock, null, "Unlocking your car.");
            case IntentName.StopPreconditioning:
                return await CommandAsync(grains, vin, CommandNames.HvacStop, null, "Stopping the climate control.");
            case IntentName.StartCharging:
                return await CommandAsync(grains, vin, CommandNames.ChargingStart, null, "Starting to charge.");
            case IntentName.StopCharging:
                return await CommandAsync(grains, vin, CommandNames.ChargingStop, null, "Stopping charging.");
            case IntentName.SetChargeLimit:
                return slots.Limit is { } limit
                    ? await CommandAsync(grains, vin, CommandNames.ChargingSetLimit, $$"""{"{{CommandParameters.Limit}}":{{limit}}}""", $"Setting the charge limit to {limit} percent.")
                    : new IntentAnswerDto(null, "refused", "To what limit? Say for example: set the charge limit to 80 percent.");
            case IntentName.Precondition:
                return await PreconditionAsync(vin, slots, zone, grains, time, commandOptions);
        }

        var twin = await grains.GetVehicle<IVehicleTwin>(vin).GetTwin();
        return name switch
        {
            IntentName.IsLocked => twin.Signals.TryGetValue(DriverDoorLocked, out var locked)
                ? Answer(locked.Value.AsBoolean ? "Yes, your car is locked." : "No, your car is unlocked. Say: lock my car.")
                : Answer("I don't know: your car has not reported whether its doors are locked."),
            IntentName.BatteryLevel => twin.Signals.TryGetValue(SignalCatalogue.StateOfCharge, out var soc)
                ? Answer(string.Create(CultureInfo.InvariantCulture, $"Your battery is at {Math.Round(soc.Value.Number)} percent") + (twin.Signals.TryGetValue(SignalCatalogue.IsCharging, out var charging) && charging.Value.AsBoolean ? " and charging." : "."))
                : Answer("Your car has not reported its battery level yet."),
            IntentName.Range => twin.Signals.TryGetValue(RangeSignal, out var range) && range.Value.Kind == SignalKind.Number
                ? Answer(string.Create(CultureInfo.InvariantCulture, $"Your car can drive about {Math.Round(range.Value.Number / 1000)} kilometres."))
                : Answer("Your car has not reported its range yet."),
            _ => Where(twin, time.GetUtcNow()),
        };
    }

    private static IntentAnswerDto Where(TwinSnapshot twin, DateTimeOffset now)
    {
        if (!twin.Signals.TryGetValue(SignalCatalogue.Latitude, out var lat) || !twin.Signals.TryGetValue(SignalCatalogue.Longitude, out var lon))
        {
            return Answer("Your car has not reported where it is yet.");
        }

        var ago = twin.LastSeenAt is { } seen ? $", {Ago(now - seen)}" : string.Empty;
        return Answer(string.Create(CultureInfo.InvariantCulture, $"Your car is at latitude {lat.Value.Number:0.0000}, longitude {lon.Value.Number:0.0000}{ago}."));
    }

    private static string Ago(TimeSpan age) => age switch
    {
        { TotalMinutes: < 1 } => "seen just now",
        { TotalHours: < 1 } => $"last seen {(int)age.TotalMinutes} minutes ago",
        { TotalDays: < 1 } => $"last seen {(int)age.TotalHours} hours ago",
        _ => $"last seen {(int)age.TotalDays} days ago",
    };

    private static async Task<IntentAnswerDto> PreconditionAsync(
        string vin, IntentSlots slots, TimeZoneInfo zone, IGrainFactory grains, TimeProvider time, CommandPolicyOptions commandOptions)
    {
        var target = slots.TemperatureC ?? DefaultTemperatureC;
        if (!TargetTemperature.IsValid(target))
        {
            return new IntentAnswerDto(null, "refused", string.Create(CultureInfo.InvariantCulture, $"I can set the cabin between {TargetTemperature.MinC} and {TargetTemperature.MaxC} degrees. Which temperature would you like?"));
        }

        var now = time.GetUtcNow();
        DateTimeOffset? departure = slots.AtInstant ?? (slots.At is { } at ? NextOccurrence(at, zone, now) : null);
        if (departure is null)
        {
            var paramsJson = CommandParameters.HvacPrecondition(target, now + TimeSpan.FromMinutes(15));
            return await CommandAsync(grains, vin, CommandNames.HvacPrecondition, paramsJson, string.Create(CultureInfo.InvariantCulture, $"Bringing your cabin to {target:0.#} degrees now."));
        }

        if (DepartureTime.Check(departure.Value, now, commandOptions.MaxDepartureAhead) != DepartureCheck.Valid)
        {
            return new IntentAnswerDto(null, "refused", $"I can plan preconditioning for a departure within the next {commandOptions.MaxDepartureAhead.TotalDays:0} days, not in the past.");
        }

        var plan = await grains.GetVehicle<IVehiclePreconditioning>(vin).SetPreconditioning(departure.Value, target);
        var local = TimeZoneInfo.ConvertTime(departure.Value, zone);
        var speech = plan.State is PreconditioningState.Scheduled or PreconditioningState.Started
            ? string.Create(CultureInfo.InvariantCulture, $"Your car will be at {target:0.#} degrees at {local:HH:mm}.")
            : $"I could not plan that: {plan.Reason}";
        return new IntentAnswerDto(null, plan.State is PreconditioningState.Refused or PreconditioningState.TooLate ? "refused" : "scheduled", speech, Preconditioning: PreconditioningDto.From(plan));
    }

    /// <summary>The next time the clock in <paramref name="zone"/> shows <paramref name="at"/>: "at 7:30" said at 8:00 means tomorrow.</summary>
    internal static DateTimeOffset NextOccurrence(TimeOnly at, TimeZoneInfo zone, DateTimeOffset now)
    {
        var localNow = TimeZoneInfo.ConvertTime(now, zone);
        var candidate = localNow.Date + at.ToTimeSpan();
        if (candidate <= localNow.DateTime)
        {
            candidate = candidate.AddDays(1);
        }

        return new DateTimeOffset(candidate, zone.GetUtcOffset(candidate));
    }

    private static async Task<IntentAnswerDto> CommandAsync(IGrainFactory grains, string vin, string command, string? paramsJson, string speech)
    {
        var decision = await grains.GetVehicle<IVehicleCommands>(vin).SubmitCommand(new CommandRequest(command, paramsJson), null);
        return decision.Verdict switch
        {
            CommandVerdict.Allowed => new IntentAnswerDto(null, "started", speech, CommandDto.From(decision.Command!)),
            CommandVerdict.Conflict => new IntentAnswerDto(null, "refused", $"I can't do that right now: {decision.Conflict}"),
            _ => new IntentAnswerDto(null, "refused", $"I can't do that: {string.Join("; ", decision.Errors.Select(e => e.Reason))}."),
        };
    }

    private static IntentAnswerDto Answer(string speech) => new(null, "answered", speech);

    private static string Describe(IntentName name) => name switch
    {
        IntentName.LockDoors => "lock your car",
        IntentName.UnlockDoors => "unlock your car",
        IntentName.IsLocked => "tell you whether it is locked",
        IntentName.Precondition => "warm up or cool down the cabin",
        IntentName.StopPreconditioning => "stop the climate control",
        IntentName.StartCharging => "start charging",
        IntentName.StopCharging => "stop charging",
        IntentName.SetChargeLimit => "set the charge limit",
        IntentName.BatteryLevel => "tell you the battery level",
        IntentName.Range => "tell you the range",
        _ => "tell you where your car is",
    };
}
