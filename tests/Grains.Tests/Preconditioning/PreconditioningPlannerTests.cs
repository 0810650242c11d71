using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Preconditioning;
using DigitalTwin.Grains.Abstractions.Telemetry;
using DigitalTwin.Grains.Preconditioning;
using Microsoft.Extensions.Time.Testing;

namespace DigitalTwin.Grains.Tests.Preconditioning;

public sealed class PreconditioningPlannerTests
{
    // 07:30 in Berlin on a January morning.
    private static readonly DateTimeOffset Departure = new(2026, 1, 15, 7, 30, 0, TimeSpan.FromHours(1));
    private static readonly DateTimeOffset Now = new(2026, 1, 15, 5, 0, 0, TimeSpan.Zero);

    private readonly PreconditioningPlanner _planner = new();

    private static PreconditioningInput Input(
        double? cabin,
        double? exterior,
        bool pluggedIn = true,
        double? soc = 80,
        double target = 21,
        DateTimeOffset? departure = null,
        DateTimeOffset? now = null) =>
        new(departure ?? Departure, target, now ?? Now, cabin, exterior, pluggedIn, soc);

    [Fact]
    public void Cold_cabin_gets_base_lead_plus_a_minute_per_degree()
    {
        var plan = _planner.Plan(Input(cabin: -5, exterior: -5));

        Assert.Equal(PreconditioningState.Scheduled, plan.State);
        Assert.Equal(TimeSpan.FromMinutes(36), plan.Lead);
        Assert.Equal(new DateTimeOffset(2026, 1, 15, 5, 54, 0, TimeSpan.Zero), plan.StartAt);
        Assert.Contains("heating from -5 C to 21 C", plan.Reason);
        Assert.EndsWith("36 min lead", plan.Reason);
    }

    [Fact]
    public void Deep_cold_adds_extra_lead()
    {
        var plan = _planner.Plan(Input(cabin: 10, exterior: -12, target: 20));

        Assert.Equal(TimeSpan.FromMinutes(30), plan.Lead);
        Assert.Contains("deep cold -12 C", plan.Reason);
    }

    [Fact]
    public void Just_above_the_deep_cold_threshold_gets_no_extra_lead()
    {
        var plan = _planner.Plan(Input(cabin: 10, exterior: -10, target: 20));

        Assert.Equal(TimeSpan.FromMinutes(20), plan.Lead);
        Assert.DoesNotContain("deep cold", plan.Reason);
    }

    [Fact]
    public void Deep_cold_lead_is_capped_at_the_maximum_and_says_so()
    {
        var plan = _planner.Plan(Input(cabin: -18, exterior: -20));

        Assert.Equal(TimeSpan.FromMinutes(45), plan.Lead);
        Assert.Equal(Departure.AddMinutes(-45), plan.StartAt);
        Assert.Contains("deep cold -20 C", plan.Reason);
        Assert.Contains("capped at 45 min", plan.Reason);
        Assert.EndsWith("45 min lead", plan.Reason);
    }

    [Fact]
    public void Mild_cabin_near_the_target_is_held_with_little_more_than_the_base_lead()
    {
        var plan = _planner.Plan(Input(cabin: 20.5, exterior: 15));

        Assert.Equal(TimeSpan.FromMinutes(11), plan.Lead);
        Assert.Contains("holding", plan.Reason);
    }

    [Fact]
    public void Hot_cabin_is_cooled_with_a_lead_from_the_gap_above_the_target()
    {
        var plan = _planner.Plan(Input(cabin: 38, exterior: 30, target: 22));

        Assert.Equal(PreconditioningState.Scheduled, plan.State);
        Assert.Equal(TimeSpan.FromMinutes(26), plan.Lead);
        Assert.Contains("cooling from 38 C to 22 C", plan.Reason);
    }

    [Fact]
    public void Fractional_lead_is_rounded_up_to_whole_minutes()
    {
        var plan = _planner.Plan(Input(cabin: 5.3, exterior: 5));

        Assert.Equal(TimeSpan.FromMinutes(26), plan.Lead);
        Assert.Equal(0, plan.StartAt!.Value.Second);
    }

    [Fact]
    public void Low_battery_shortens_the_lead_only_when_not_plugged_in()
    {
        var plugged = _planner.Plan(Input(cabin: 0, exterior: 0, pluggedIn: true, soc: 15));
        var onBattery = _planner.Plan(Input(cabin: 0, exterior: 0, pluggedIn: false, soc: 15));

        Assert.Equal(TimeSpan.FromMinutes(31), plugged.Lead);
        Assert.DoesNotContain("battery", plugged.Reason);
        Assert.Equal(PreconditioningState.Scheduled, onBattery.State);
        Assert.Equal(TimeSpan.FromMinutes(10), onBattery.Lead);
        Assert.Equal(Departure.AddMinutes(-10), onBattery.StartAt);
        Assert.Contains("battery 15% below 20%: lead capped at 10 min", onBattery.Reason);
    }

    [Theory]
    [InlineData(20.0, 31)]
    [InlineData(19.5, 10)]
    [InlineData(10.0, 10)]
    [InlineData(95.0, 31)]
    public void Battery_thresholds_on_battery_are_inclusive_at_the_minimum(double soc, int expectedMinutes)
    {
        var plan = _planner.Plan(Input(cabin: 0, exterior: 0, pluggedIn: false, soc: soc));

        Assert.Equal(PreconditioningState.Scheduled, plan.State);
        Assert.Equal(TimeSpan.FromMinutes(expectedMinutes), plan.Lead);
    }

    [Fact]
    public void Battery_below_the_floor_is_refused_with_the_reason()
    {
        var plan = _planner.Plan(Input(cabin: -5, exterior: -5, pluggedIn: false, soc: 8));

        Assert.Equal(PreconditioningState.Refused, plan.State);
        Assert.Null(plan.StartAt);
        Assert.Equal(TimeSpan.Zero, plan.Lead);
        Assert.Equal("battery 8% below 10%: refused", plan.Reason);
    }

    [Fact]
    public void Battery_below_the_floor_is_fine_when_plugged_in()
    {
        var plan = _planner.Plan(Input(cabin: -5, exterior: -5, pluggedIn: true, soc: 8));

        Assert.Equal(PreconditioningState.Scheduled, plan.State);
        Assert.Equal(TimeSpan.FromMinutes(36), plan.Lead);
    }

    [Fact]
    public void Unknown_charge_on_battery_gets_the_short_lead()
    {
        var plan = _planner.Plan(Input(cabin: -5, exterior: -5, pluggedIn: false, soc: null));

        Assert.Equal(PreconditioningState.Scheduled, plan.State);
        Assert.Equal(TimeSpan.FromMinutes(10), plan.Lead);
        Assert.Contains("unknown charge", plan.Reason);
    }

    [Fact]
    public void Departure_too_soon_for_the_lead_starts_now_with_a_shortened_plan()
    {
        var now = Departure.AddMinutes(-12);

        var plan = _planner.Plan(Input(cabin: -5, exterior: -5, now: now));

        Assert.Equal(PreconditioningState.Started, plan.State);
        Assert.Equal(now, plan.StartAt);
        Assert.Equal(TimeSpan.FromMinutes(12), plan.Lead);
        Assert.Contains("36 min lead", plan.Reason);
        Assert.Contains("departure in 12 min, so starting now with a shortened plan", plan.Reason);
    }

    [Fact]
    public void Departure_exactly_one_lead_away_starts_now_with_the_full_plan()
    {
        var now = Departure.AddMinutes(-36);

        var plan = _planner.Plan(Input(cabin: -5, exterior: -5, now: now));

        Assert.Equal(PreconditioningState.Started, plan.State);
        Assert.Equal(TimeSpan.FromMinutes(36), plan.Lead);
        Assert.EndsWith("; starting now", plan.Reason);
        Assert.DoesNotContain("shortened", plan.Reason);
    }

    [Fact]
    public void Departure_in_the_past_is_too_late()
    {
        var plan = _planner.Plan(Input(cabin: -5, exterior: -5, now: Departure.AddMinutes(1)));

        Assert.Equal(PreconditioningState.TooLate, plan.State);
        Assert.Null(plan.StartAt);
        Assert.Equal(TimeSpan.Zero, plan.Lead);
        Assert.Contains("too late", plan.Reason);
    }

    [Fact]
    public void Departure_right_now_is_too_late_even_with_a_flat_battery()
    {
        var plan = _planner.Plan(Input(cabin: -5, exterior: -5, pluggedIn: false, soc: 3, now: Departure));

        Assert.Equal(PreconditioningState.TooLate, plan.State);
    }

    [Fact]
    public void Same_instant_in_different_offsets_gives_the_same_plan_in_utc()
    {
        DateTimeOffset[] departures =
        [
            new(2026, 1, 15, 7, 30, 0, TimeSpan.FromHours(1)),
            new(2026, 1, 15, 6, 30, 0, TimeSpan.Zero),
            new(2026, 1, 15, 1, 30, 0, TimeSpan.FromHours(-5)),
            new(2026, 1, 15, 19, 30, 0, TimeSpan.FromHours(13)),
            new(2026, 1, 15, 12, 0, 0, TimeSpan.FromHours(5.5)),
        ];
        DateTimeOffset[] nows =
        [
            new(2026, 1, 15, 6, 0, 0, TimeSpan.FromHours(1)),
            new(2026, 1, 15, 5, 0, 0, TimeSpan.Zero),
            new(2026, 1, 15, 0, 0, 0, TimeSpan.FromHours(-5)),
            new(2026, 1, 15, 18, 0, 0, TimeSpan.FromHours(13)),
            new(2026, 1, 15, 10, 30, 0, TimeSpan.FromHours(5.5)),
        ];

        var plans = departures.Zip(nows, (d, n) => _planner.Plan(Input(cabin: 2, exterior: -3, departure: d, now: n))).ToList();

        var first = plans[0];
        Assert.Equal(TimeSpan.Zero, first.DepartureAt.Offset);
        Assert.Equal(TimeSpan.Zero, first.StartAt!.Value.Offset);
        Assert.Equal(new DateTimeOffset(2026, 1, 15, 6, 1, 0, TimeSpan.Zero), first.StartAt);
        Assert.All(plans, p =>
        {
            Assert.Equal(first, p);
            Assert.Equal(first.DepartureAt.ToString("O"), p.DepartureAt.ToString("O"));
            Assert.Equal(first.StartAt.Value.ToString("O"), p.StartAt!.Value.ToString("O"));
            Assert.Equal(first.Reason, p.Reason);
        });
    }

    [Fact]
    public void Too_soon_is_judged_on_instants_not_on_wall_clock_digits()
    {
        // 06:20 in New York is 11:20 UTC; a departure at 07:30 Berlin time (06:30 UTC) has long passed.
        var now = new DateTimeOffset(2026, 1, 15, 6, 20, 0, TimeSpan.FromHours(-5));

        var plan = _planner.Plan(Input(cabin: -5, exterior: -5, now: now));

        Assert.Equal(PreconditioningState.TooLate, plan.State);
    }

    [Fact]
    public void Unknown_cabin_temperature_is_estimated_by_the_outside_one()
    {
        var plan = _planner.Plan(Input(cabin: null, exterior: 1));

        Assert.Equal(TimeSpan.FromMinutes(30), plan.Lead);
        Assert.Contains("heating from 1 C (cabin unknown, outside used) to 21 C", plan.Reason);
    }

    [Fact]
    public void Unknown_outside_temperature_lets_a_deep_cold_cabin_count_as_deep_cold()
    {
        var plan = _planner.Plan(Input(cabin: -12, exterior: null, target: 16));

        Assert.Equal(TimeSpan.FromMinutes(45), plan.Lead);
        Assert.Contains("deep cold -12 C", plan.Reason);
    }

    [Fact]
    public void Both_temperatures_unknown_fall_back_to_the_default_lead()
    {
        var plan = _planner.Plan(Input(cabin: null, exterior: null));

        Assert.Equal(PreconditioningState.Scheduled, plan.State);
        Assert.Equal(TimeSpan.FromMinutes(20), plan.Lead);
        Assert.Equal("temperatures unknown: 20 min lead", plan.Reason);
    }

    [Theory]
    [InlineData(15.9)]
    [InlineData(28.1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Target_outside_16_to_28_is_a_caller_error(double target)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _planner.Plan(Input(cabin: 10, exterior: 10, target: target)));
    }

    [Theory]
    [InlineData(16.0)]
    [InlineData(28.0)]
    public void Target_at_the_ends_of_the_range_is_planned(double target)
    {
        Assert.Equal(target, _planner.Plan(Input(cabin: 10, exterior: 10, target: target)).TargetTemperatureC);
    }

    [Fact]
    public void Rules_follow_the_options()
    {
        var planner = new PreconditioningPlanner(new PreconditioningOptions
        {
            BaseLead = TimeSpan.FromMinutes(5),
            MinutesPerDegree = 0.5,
            MaxLead = TimeSpan.FromMinutes(30),
            DeepColdBelowC = -20,
            RefuseBelowSoc = 25,
        });

        Assert.Equal(TimeSpan.FromMinutes(18), planner.Plan(Input(cabin: -5, exterior: -15)).Lead);
        Assert.Equal(TimeSpan.FromMinutes(30), planner.Plan(Input(cabin: -40, exterior: -40)).Lead);
        Assert.Equal(PreconditioningState.Refused, planner.Plan(Input(cabin: 0, exterior: 0, pluggedIn: false, soc: 22)).State);
    }

    [Fact]
    public void Plan_from_the_twin_ignores_stale_temperatures_and_reads_plug_and_charge()
    {
        var clock = new FakeTimeProvider(Now);
        var nowMs = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var minute = 60_000L;
        var signals = new Dictionary<string, SignalReading>
        {
            [SignalCatalogue.CabinAirTemperature] = new(SignalValue.FromNumber(2), nowMs - (10 * minute)),
            [SignalCatalogue.ExteriorAirTemperature] = new(SignalValue.FromNumber(-20), nowMs - (300 * minute)),
            [SignalCatalogue.IsChargingCableConnected] = new(SignalValue.FromBoolean(true), nowMs - (600 * minute)),
            [SignalCatalogue.StateOfCharge] = new(SignalValue.FromNumber(5), nowMs - (600 * minute)),
        };

        var plan = _planner.Plan(Departure, 21, clock.GetUtcNow(), signals);

        // Cabin 2 C is fresh; the -20 C outside is five hours old and would have added deep-cold lead.
        Assert.Equal(_planner.Plan(Input(cabin: 2, exterior: null, pluggedIn: true, soc: 5)), plan);
        Assert.Equal(TimeSpan.FromMinutes(29), plan.Lead);

        clock.Advance(TimeSpan.FromHours(3));
        var later = _planner.Plan(Departure.AddHours(3), 21, clock.GetUtcNow(), signals);
        Assert.Equal(TimeSpan.FromMinutes(20), later.Lead);
    }

    [Fact]
    public void Plan_from_the_twin_treats_an_unreported_cable_as_unplugged()
    {
        var nowMs = Now.ToUnixTimeMilliseconds();
        var signals = new Dictionary<string, SignalReading>
        {
            [SignalCatalogue.CabinAirTemperature] = new(SignalValue.FromNumber(0), nowMs),
            [SignalCatalogue.StateOfCharge] = new(SignalValue.FromNumber(9), nowMs),
        };

        var plan = _planner.Plan(Departure, 21, Now, signals);

        Assert.Equal(PreconditioningState.Refused, plan.State);
        Assert.Equal("battery 9% below 10%: refused", plan.Reason);
    }
}
