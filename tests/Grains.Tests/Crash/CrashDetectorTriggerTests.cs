using DigitalTwin.Contract.Events;
using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Crash;
using DigitalTwin.Grains.Crash;
using static DigitalTwin.Grains.Tests.Crash.TelemetryTrace;

namespace DigitalTwin.Grains.Tests.Crash;

/// <summary>Traces that are crashes, and what the raised incident must say about them.</summary>
public sealed class CrashDetectorTriggerTests
{
    [Fact]
    public void Frontal_crash_is_raised_once_as_critical_with_the_impact_time_speed_and_delta_v()
    {
        var trace = new TelemetryTrace(hz: 100);
        trace.With(Sig.Position(52.5200, 13.4050, 87.0))
            .With(Sig.Occupied(1, 1, true), Sig.Occupied(1, 2, false))
            .Hold(seconds: 2, speed: 62, longitudinal: -0.3);

        // The pulse's second sample is the first beyond 4 g; the car is below 5 km/h at the sixth.
        var firstPeakTs = trace.NextTs + 10;
        trace.Samples(
            speeds: [61, 58, 45, 28, 12, 4, 1, 0],
            longitudinal: [-18, -64, -92, -110, -75, -30, -6, 0]);
        trace.Hold(seconds: 3, speed: 0);

        var decisions = trace.FeedTo(new CrashDetector());

        var raised = Assert.Single(decisions);
        Assert.Equal(CrashOutcome.Raised, raised.Outcome);
        var incident = raised.Incident!;
        Assert.Equal(At(firstPeakTs), incident.OccurredAt);
        Assert.Equal(CrashTrigger.SevereDeceleration, incident.Trigger);
        Assert.Equal(CrashSeverity.Critical, incident.Severity);
        Assert.Equal(62, incident.SpeedBeforeKmh);
        Assert.Equal(58, incident.DeltaVKmh);
        Assert.Equal(110, incident.PeakAccelerationMps2);
        Assert.Equal(1, incident.Revision);
    }

    [Fact]
    public void Side_impact_with_a_lateral_pulse_is_raised_as_severe()
    {
        var trace = new TelemetryTrace(hz: 100);
        trace.Hold(seconds: 2, speed: 45, lateral: 0.8);
        var firstPeakTs = trace.NextTs + 10;
        trace.Samples(
            speeds: [45, 40, 26, 12, 3, 1],
            lateral: [12, 48, 85, 60, 20, 5]);
        trace.Hold(seconds: 2, speed: 0);

        var incident = Assert.Single(trace.FeedTo(new CrashDetector())).Incident!;

        Assert.Equal(CrashTrigger.SevereDeceleration, incident.Trigger);
        Assert.Equal(At(firstPeakTs), incident.OccurredAt);
        Assert.Equal(42, incident.DeltaVKmh);
        Assert.Equal(85, incident.PeakAccelerationMps2);
        Assert.Equal(CrashSeverity.Severe, incident.Severity);
    }

    [Fact]
    public void Low_speed_impact_with_a_small_delta_v_is_raised_as_minor()
    {
        var trace = new TelemetryTrace(hz: 100);
        trace.Hold(seconds: 1, speed: 22);
        trace.Samples(speeds: [22, 15, 6, 2], longitudinal: [-20, -45, -40, -10]);
        trace.Hold(seconds: 1, speed: 0);

        var incident = Assert.Single(trace.FeedTo(new CrashDetector())).Incident!;

        Assert.Equal(20, incident.DeltaVKmh);
        Assert.Equal(CrashSeverity.Minor, incident.Severity);
    }

    [Fact]
    public void A_crash_at_the_end_of_a_long_drive_at_100_hz_is_confirmed_like_any_other()
    {
        // A minute of samples comes and goes through the speed window before the impact.
        var trace = new TelemetryTrace(hz: 100);
        trace.Hold(seconds: 60, speed: 80).Hold(seconds: 20, speed: 2).Ramp(seconds: 5, fromSpeed: 2, toSpeed: 62);
        var firstPeakTs = trace.NextTs + 10;
        trace.Samples(
            speeds: [61, 58, 45, 28, 12, 4, 1, 0],
            longitudinal: [-18, -64, -92, -110, -75, -30, -6, 0]);
        trace.Hold(seconds: 3, speed: 0);

        var raised = Assert.Single(trace.FeedTo(new CrashDetector()));

        Assert.Equal(At(firstPeakTs), raised.Incident!.OccurredAt);
        // The ramp's last sample, not the 80 km/h that left the window long before.
        Assert.Equal(61.88, raised.Incident.SpeedBeforeKmh!.Value, precision: 2);
    }

    [Fact]
    public void Speed_reported_at_only_1_hz_still_confirms_a_100_hz_impact_pulse()
    {
        var detector = new CrashDetector();
        var ts = Start;
        long seq = 0;
        Assert.Equal(CrashOutcome.None, detector.Observe(Message(ts, ++seq, Sig.Speed(70))).Outcome);

        // Accelerations only, as a car that sends its IMU faster than its speed would.
        for (var i = 1; i <= 5; i++)
        {
            var accel = i is 2 or 3 ? -95.0 : -10.0;
            var decision = detector.Observe(Message(ts + 600 + (i * 10), ++seq, Sig.Num(SignalCatalogue.AccelerationLongitudinal, accel)));
            Assert.Equal(CrashOutcome.None, decision.Outcome);
        }

        var confirmed = detector.Observe(Message(ts + 1000, ++seq, Sig.Speed(0)));

        Assert.Equal(CrashOutcome.Raised, confirmed.Outcome);
        Assert.Equal(At(ts + 620), confirmed.Incident!.OccurredAt);
        Assert.Equal(70, confirmed.Incident.DeltaVKmh);
    }

    [Fact]
    public void Airbag_deployment_alone_raises_a_severe_crash_even_while_parked()
    {
        var trace = new TelemetryTrace(hz: 10);
        trace.Hold(seconds: 2, speed: 0);
        var airbagTs = trace.NextTs;
        trace.With(Sig.Airbag(1, 2, true)).Hold(seconds: 1, speed: 0);

        var raised = Assert.Single(trace.FeedTo(new CrashDetector()));

        Assert.Equal(CrashOutcome.Raised, raised.Outcome);
        Assert.Equal(CrashTrigger.Airbag, raised.Incident!.Trigger);
        Assert.Equal(CrashSeverity.Severe, raised.Incident.Severity);
        Assert.Equal(At(airbagTs), raised.Incident.OccurredAt);
        Assert.Null(raised.Incident.DeltaVKmh);
    }

    [Fact]
    public void Airbag_deployed_event_raises_a_severe_crash()
    {
        var detector = new CrashDetector();

        var decision = detector.Observe(new VehicleEvent(Start, 1, "AirbagDeployed", "{}", At(Start)));

        Assert.Equal(CrashOutcome.Raised, decision.Outcome);
        Assert.Equal(CrashTrigger.Airbag, decision.Incident!.Trigger);
        Assert.Equal(CrashSeverity.Severe, decision.Incident.Severity);
        Assert.Same(decision.Incident, detector.LatestIncident);
    }

    [Fact]
    public void Airbag_with_a_critical_delta_v_is_critical_not_just_severe()
    {
        var trace = new TelemetryTrace(hz: 100);
        trace.Hold(seconds: 1, speed: 80);
        trace.Samples(speeds: [80, 60, 30, 4], longitudinal: [-30, -120, -140, -40]);
        trace.With(Sig.Airbag(1, 1, true)).Hold(seconds: 1, speed: 0);

        var decisions = trace.FeedTo(new CrashDetector());

        Assert.Equal([CrashOutcome.Raised, CrashOutcome.Updated], decisions.Select(d => d.Outcome));
        Assert.Equal(CrashSeverity.Critical, decisions[^1].Incident!.Severity);
        Assert.Equal(CrashTrigger.SevereDeceleration | CrashTrigger.Airbag, decisions[^1].Incident!.Triggers);
    }

    [Fact]
    public void Sos_button_alone_raises_a_minor_incident_with_position_occupants_and_fix_age()
    {
        var detector = new CrashDetector();
        detector.Observe(Message(Start, 1, [
            .. Sig.Position(48.1372, 11.5756, 270),
            Sig.Speed(0),
            Sig.Occupied(1, 1, true), Sig.Occupied(1, 2, true), Sig.Occupied(2, 1, false), Sig.Occupied(2, 2, true),
        ]));

        // A passenger leaves the back seat before the press; the count follows the latest value per seat.
        detector.Observe(Message(Start + 4_000, 2, Sig.Speed(0), Sig.Occupied(2, 2, false)));
        var sos = detector.Observe(new VehicleEvent(Start + 4_500, 1, "SosButton", "{}", At(Start + 4_500)));

        Assert.Equal(CrashOutcome.Raised, sos.Outcome);
        var incident = sos.Incident!;
        Assert.Equal(CrashTrigger.SosButton, incident.Trigger);
        Assert.Equal(CrashSeverity.Minor, incident.Severity);
        Assert.Equal(At(Start + 4_500), incident.OccurredAt);
        Assert.Equal(new CrashPosition(48.1372, 11.5756, 270, TimeSpan.FromMilliseconds(4_500)), incident.Position);
        Assert.Equal(2, incident.Occupants);
        Assert.Equal(0, incident.SpeedBeforeKmh);
    }

    [Fact]
    public void Seats_outside_the_catalogue_do_not_count_as_occupants()
    {
        var detector = new CrashDetector();
        detector.Observe(Message(Start, 1,
            Sig.Occupied(1, 1, true),
            Sig.Bool("Vehicle.Cabin.Seat.Row42.Pos1.IsOccupied", true),
            Sig.Bool("Vehicle.Cabin.Seat.Row1.Pos1.Extra.IsOccupied", true)));

        var incident = detector.Observe(Events.Sos(Start + 100, seq: 1)).Incident!;

        Assert.Equal(1, incident.Occupants);
    }

    [Fact]
    public void Incident_without_position_seat_or_speed_data_reports_them_as_unknown_not_zero()
    {
        var detector = new CrashDetector();

        var incident = detector.Observe(new VehicleEvent(Start, 1, "SosButton", "{}", At(Start))).Incident!;

        Assert.Null(incident.Position);
        Assert.Null(incident.Occupants);
        Assert.Null(incident.SpeedBeforeKmh);
    }

    [Fact]
    public void Position_needs_both_coordinates_and_its_age_counts_from_the_older_one()
    {
        var detector = new CrashDetector();
        detector.Observe(Message(Start, 1, Sig.Num(SignalCatalogue.Latitude, 40.0)));
        var withoutLongitude = detector.Observe(new VehicleEvent(Start + 100, 1, "SosButton", "{}", At(Start)));
        Assert.Null(withoutLongitude.Incident!.Position);

        detector.Observe(Message(Start + 2_000, 2, Sig.Num(SignalCatalogue.Longitude, -3.7)));
        var later = detector.Observe(new VehicleEvent(Start + 70_000, 2, "SosButton", "{}", At(Start)));

        Assert.Equal(CrashOutcome.Raised, later.Outcome);
        Assert.Equal(new CrashPosition(40.0, -3.7, null, TimeSpan.FromSeconds(70)), later.Incident!.Position);
    }

    [Fact]
    public void Impact_threshold_comes_from_the_options()
    {
        static TelemetryTrace ThreeGStop()
        {
            var trace = new TelemetryTrace(hz: 50);
            trace.Hold(seconds: 1, speed: 30);
            trace.Samples(speeds: [30, 12, 2], longitudinal: [-20, -30, -28]);
            return trace.Hold(seconds: 1, speed: 0);
        }

        Assert.Empty(ThreeGStop().FeedTo(new CrashDetector()));

        var sensitive = new CrashDetector(new CrashDetectionOptions { ImpactAccelerationMps2 = 25 });
        var incident = Assert.Single(ThreeGStop().FeedTo(sensitive)).Incident!;
        Assert.Equal(30, incident.PeakAccelerationMps2);
    }

    [Fact]
    public void Events_other_than_airbag_and_sos_raise_nothing()
    {
        var detector = new CrashDetector();

        var decision = detector.Observe(new VehicleEvent(Start, 1, "ForwardCollisionWarning", "{}", At(Start)));

        Assert.Equal(CrashOutcome.None, decision.Outcome);
        Assert.Null(detector.LatestIncident);
    }
}
