using System.Globalization;
using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Preconditioning;
using DigitalTwin.Grains.Abstractions.Telemetry;

namespace DigitalTwin.Grains.Preconditioning;

/// <summary>
/// Plans cabin preconditioning for a departure. The rules, in order:
/// <list type="number">
/// <item>The target must be <see cref="TargetTemperature"/>'s 16..28 C; anything else is the caller's bug and throws.</item>
/// <item>A departure at or before now is <see cref="PreconditioningState.TooLate"/>.</item>
/// <item>Not plugged in: a state of charge below <see cref="PreconditioningOptions.RefuseBelowSoc"/> is
/// <see cref="PreconditioningState.Refused"/>; below <see cref="PreconditioningOptions.MinimumSocOnBattery"/>, or unknown,
/// caps the lead at <see cref="PreconditioningOptions.LowBatteryMaxLead"/>. Plugged in, the battery sets no limit.</item>
/// <item>Lead = <see cref="PreconditioningOptions.BaseLead"/> + <see cref="PreconditioningOptions.MinutesPerDegree"/> per
/// degree between the cabin and the target (heating or cooling alike). An unknown cabin temperature is estimated by the
/// outside one, since a parked cabin drifts towards it; with neither known the lead is
/// <see cref="PreconditioningOptions.UnknownTemperatureLead"/>.</item>
/// <item>Outside (or, unknown, the cabin) below <see cref="PreconditioningOptions.DeepColdBelowC"/> adds
/// <see cref="PreconditioningOptions.DeepColdExtraLead"/>.</item>
/// <item>The lead is capped at <see cref="PreconditioningOptions.MaxLead"/>, then by the battery cap, and rounded up to
/// whole minutes.</item>
/// <item>Start = departure - lead. A start after now is <see cref="PreconditioningState.Scheduled"/>; otherwise
/// <see cref="PreconditioningState.Started"/> from now, for the time left when that is shorter than the lead (the reason
/// says so).</item>
/// </list>
/// Only instants matter: departures with different offsets for the same instant give the same plan, expressed in UTC,
/// and reasons speak in durations, never clock times.
/// </summary>
public sealed class PreconditioningPlanner
{
    // Within a degree of the target the cabin is held, not heated or cooled: only the wording changes.
    private const double HoldBandC = 1.0;

    private readonly PreconditioningOptions _options;

    public PreconditioningPlanner(PreconditioningOptions? options = null)
    {
        _options = options ?? new PreconditioningOptions();
    }

    /// <summary>
    /// Plans from the twin's latest readings: temperatures older than <see cref="PreconditioningOptions.TemperatureMaxAge"/>
    /// count as unknown; a cable never reported counts as unplugged, the cautious reading for the battery.
    /// </summary>
    public PreconditioningPlan Plan(
        DateTimeOffset departureAt,
        double targetTemperatureC,
        DateTimeOffset now,
        IReadOnlyDictionary<string, SignalReading> signals)
    {
        ArgumentNullException.ThrowIfNull(signals);

        double? FreshNumber(string name) =>
            signals.TryGetValue(name, out var reading)
            && reading.Value.Kind == SignalKind.Number
            && now - DateTimeOffset.FromUnixTimeMilliseconds(reading.Ts) <= _options.TemperatureMaxAge
                ? reading.Value.Number
                : null;

        var pluggedIn = signals.TryGetValue(SignalCatalogue.IsChargingCableConnected, out var cable)
                        && cable.Value.Kind == SignalKind.Boolean
                        && cable.Value.AsBoolean;

        // A parked car's charge barely moves, so an old reading still tells how much there is to spend.
        double? soc = signals.TryGetValue(SignalCatalogue.StateOfCharge, out var charge) && charge.Value.Kind == SignalKind.Number
            ? charge.Value.Number
            : null;

        return Plan(new PreconditioningInput(
            departureAt,
            targetTemperatureC,
            now,
            FreshNumber(SignalCatalogue.CabinAirTemperature),
            FreshNumber(SignalCatalogue.ExteriorAirTemperature),
            pluggedIn,
            soc));
    }

    public PreconditioningPlan Plan(PreconditioningInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var target = input.TargetTemperatureC;
        if (!TargetTemperature.IsValid(target))
        {
            throw new ArgumentOutOfRangeException(
                nameof(input), target, $"The target temperature must be from {TargetTemperature.MinC} to {TargetTemperature.MaxC} C.");
        }

        var departure = input.DepartureAt.ToUniversalTime();
        var now = input.Now.ToUniversalTime();
        if (departure <= now)
        {
            return new PreconditioningPlan(
                departure, target, null, PreconditioningState.TooLate, TimeSpan.Zero, "departure time has passed: too late");
        }

        TimeSpan? batteryCap = null;
        string? batteryNote = null;
        if (!input.IsPluggedIn)
        {
            var floor = _options.RefuseBelowSoc;
            var minimum = _options.MinimumSocOnBattery;
            var capMinutes = Minutes(_options.LowBatteryMaxLead);
            switch (input.StateOfChargePercent)
            {
                case null:
                    batteryCap = _options.LowBatteryMaxLead;
                    batteryNote = $"on battery with unknown charge: lead capped at {capMinutes} min";
                    break;
                case { } soc when soc < floor:
                    return new PreconditioningPlan(
                        departure, target, null, PreconditioningState.Refused, TimeSpan.Zero,
                        Invariant($"battery {soc:0.#}% below {floor:0.#}%: refused"));
                case { } soc when soc < minimum:
                    batteryCap = _options.LowBatteryMaxLead;
                    batteryNote = Invariant($"battery {soc:0.#}% below {minimum:0.#}%: lead capped at {capMinutes} min");
                    break;
            }
        }

        var notes = new List<string>();
        TimeSpan lead;
        var estimate = input.CabinTemperatureC ?? input.ExteriorTemperatureC;
        if (estimate is { } cabin)
        {
            var gap = target - cabin;
            var what = gap > HoldBandC ? "heating" : gap < -HoldBandC ? "cooling" : "holding";
            notes.Add(input.CabinTemperatureC is null
                ? Invariant($"{what} from {cabin:0.#} C (cabin unknown, outside used) to {target:0.#} C")
                : Invariant($"{what} from {cabin:0.#} C to {target:0.#} C"));
            lead = _options.BaseLead + TimeSpan.FromMinutes(_options.MinutesPerDegree * Math.Abs(gap));
        }
        else
        {
            notes.Add("temperatures unknown");
            lead = _options.UnknownTemperatureLead;
        }

        if ((input.ExteriorTemperatureC ?? input.CabinTemperatureC) is { } cold && cold < _options.DeepColdBelowC)
        {
            notes.Add(Invariant($"deep cold {cold:0.#} C: {Minutes(_options.DeepColdExtraLead)} min more"));
            lead += _options.DeepColdExtraLead;
        }

        if (lead > _options.MaxLead)
        {
            notes.Add($"capped at {Minutes(_options.MaxLead)} min");
            lead = _options.MaxLead;
        }

        if (batteryCap is { } cap && lead > cap)
        {
            notes.Add(batteryNote!);
            lead = cap;
        }

        lead = TimeSpan.FromMinutes(Math.Ceiling(lead.TotalMinutes));
        var reason = $"{string.Join(", ", notes)}: {Minutes(lead)} min lead";
        var startAt = departure - lead;
        if (startAt > now)
        {
            return new PreconditioningPlan(departure, target, startAt, PreconditioningState.Scheduled, lead, reason);
        }

        var left = departure - now;
        return left < lead
            ? new PreconditioningPlan(
                departure, target, now, PreconditioningState.Started, left,
                $"{reason}; departure in {Minutes(left)} min, so starting now with a shortened plan")
            : new PreconditioningPlan(departure, target, now, PreconditioningState.Started, lead, $"{reason}; starting now");
    }

    // Whole minutes, rounded up: "departure in 0 min" would read as already gone.
    private static int Minutes(TimeSpan span) => (int)Math.Ceiling(span.TotalMinutes);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
