using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Crash;
using DigitalTwin.Grains.Abstractions.Telemetry;
using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Grains.Crash;
using static DigitalTwin.Grains.Tests.Crash.TelemetryTrace;

namespace DigitalTwin.Grains.Tests.Crash;

/// <summary>One incident, one alert: how triggers gather into incidents over time.</summary>
public sealed class CrashDetectorIncidentTests
{
    private const string Vin = "WDD2030461A123456";

    [Fact]
    public void Repeated_triggers_within_the_window_update_one_incident_and_raise_its_severity()
    {
        var detector = new CrashDetector();
        var raised = detector.Observe(Events.Sos(Start, seq: 1));

        var updated = detector.Observe(Events.Airbag(Start + 5_000, seq: 2));

        Assert.Equal(CrashOutcome.Raised, raised.Outcome);
        Assert.Equal(CrashSeverity.Minor, raised.Incident!.Severity);
        Assert.Equal(CrashOutcome.Updated, updated.Outcome);
        var incident = updated.Incident!;
        Assert.Equal(CrashSeverity.Severe, incident.Severity);
        Assert.Equal(CrashTrigger.SosButton, incident.Trigger);
        Assert.Equal(CrashTrigger.SosButton | CrashTrigger.Airbag, incident.Triggers);
        Assert.Equal(At(Start), incident.OccurredAt);
        Assert.Equal(At(Start + 5_000), incident.UpdatedAt);
        Assert.Equal(2, incident.Revision);
        Assert.Equal(CrashAlert.For(Vin, raised.Incident).Id, CrashAlert.For(Vin, incident).Id);
    }

    [Fact]
    public void Repeated_sos_within_the_window_changes_nothing()
    {
        var detector = new CrashDetector();
        var first = detector.Observe(Events.Sos(Start, seq: 1)).Incident;

        var again = detector.Observe(Events.Sos(Start + 20_000, seq: 2));

        Assert.Equal(CrashOutcome.None, again.Outcome);
        Assert.Same(first, detector.LatestIncident);
    }

    [Fact]
    public void Trigger_after_the_incident_window_raises_a_new_incident_with_a_new_alert()
    {
        var detector = new CrashDetector();
        var first = detector.Observe(Events.Sos(Start, seq: 1)).Incident!;

        var justInside = detector.Observe(Events.Sos(Start + 59_999, seq: 2));
        var after = detector.Observe(Events.Sos(Start + 60_000, seq: 3));

        Assert.Equal(CrashOutcome.None, justInside.Outcome);
        Assert.Equal(CrashOutcome.Raised, after.Outcome);
        Assert.Equal(At(Start + 60_000), after.Incident!.OccurredAt);
        Assert.Equal(1, after.Incident.Revision);
        Assert.NotEqual(CrashAlert.For(Vin, first).Id, CrashAlert.For(Vin, after.Incident).Id);
    }

    [Fact]
    public void Incident_window_comes_from_the_options()
    {
        var detector = new CrashDetector(new CrashDetectionOptions { IncidentWindow = TimeSpan.FromSeconds(10) });
        detector.Observe(Events.Sos(Start, seq: 1));

        var decision = detector.Observe(Events.Sos(Start + 15_000, seq: 2));

        Assert.Equal(CrashOutcome.Raised, decision.Outcome);
    }

    [Fact]
    public void Frontal_crash_with_airbag_is_raised_by_the_airbag_then_updated_to_critical()
    {
        var trace = new TelemetryTrace(hz: 100);
        trace.With(Sig.Occupied(1, 1, true)).Hold(seconds: 2, speed: 64);
        trace.Samples(speeds: [63, 55, 40], longitudinal: [-25, -90, -130]);
        var airbagTs = trace.NextTs;
        trace.With(Sig.Airbag(1, 1, true)).Samples(speeds: [22, 9, 2], longitudinal: [-100, -40, -5]);
        trace.Hold(seconds: 2, speed: 0, each: [Sig.Airbag(1, 1, true)]);

        var decisions = trace.FeedTo(new CrashDetector());

        Assert.Equal([CrashOutcome.Raised, CrashOutcome.Updated], decisions.Select(d => d.Outcome));
        Assert.Equal(CrashSeverity.Severe, decisions[0].Incident!.Severity);
        var final = decisions[1].Incident!;
        Assert.Equal(CrashSeverity.Critical, final.Severity);
        Assert.Equal(CrashTrigger.Airbag, final.Trigger);
        Assert.Equal(CrashTrigger.Airbag | CrashTrigger.SevereDeceleration, final.Triggers);
        Assert.Equal(62, final.DeltaVKmh);
        Assert.Equal(At(airbagTs), final.OccurredAt);
        Assert.Equal(1, final.Occupants);
        Assert.Equal(CrashAlert.For(Vin, decisions[0].Incident!).Id, CrashAlert.For(Vin, final).Id);
    }

    [Fact]
    public void Sos_after_a_critical_crash_joins_the_incident_without_lowering_its_severity()
    {
        var trace = new TelemetryTrace(hz: 100);
        trace.Hold(seconds: 1, speed: 90);
        trace.Samples(speeds: [90, 50, 10, 1], longitudinal: [-40, -150, -90, -10]);
        var impactTs = trace.NextTs - 40;
        var detector = new CrashDetector();
        Assert.Equal(CrashSeverity.Critical, Assert.Single(trace.FeedTo(detector)).Incident!.Severity);

        var sos = detector.Observe(Events.Sos(impactTs + 10_000, seq: 1));

        Assert.Equal(CrashOutcome.Updated, sos.Outcome);
        Assert.Equal(CrashSeverity.Critical, sos.Incident!.Severity);
        Assert.Equal(CrashTrigger.SevereDeceleration | CrashTrigger.SosButton, sos.Incident.Triggers);
        Assert.Equal(At(impactTs), sos.Incident.OccurredAt);
    }

    [Fact]
    public void Airbag_reported_reset_and_deployed_again_later_raises_a_new_incident()
    {
        var detector = new CrashDetector();
        var first = detector.Observe(Message(Start, 1, Sig.Airbag(1, 1, true)));
        var reset = detector.Observe(Message(Start + 100_000, 2, Sig.Airbag(1, 1, false)));
        var second = detector.Observe(Message(Start + 200_000, 3, Sig.Airbag(1, 1, true)));

        Assert.Equal(CrashOutcome.Raised, first.Outcome);
        Assert.Equal(CrashOutcome.None, reset.Outcome);
        Assert.Equal(CrashOutcome.Raised, second.Outcome);
        Assert.Equal(At(Start + 200_000), second.Incident!.OccurredAt);
    }

    [Fact]
    public void Evidence_older_than_the_open_incident_by_more_than_the_window_is_ignored()
    {
        var detector = new CrashDetector();
        var open = detector.Observe(Events.Sos(Start + 120_000, seq: 1)).Incident;

        var old = detector.Observe(Events.Airbag(Start, seq: 2));

        Assert.Equal(CrashOutcome.None, old.Outcome);
        Assert.Same(open, detector.LatestIncident);
    }

    [Fact]
    public void Primed_detector_does_not_re_raise_a_known_airbag_nor_re_read_applied_documents()
    {
        var detector = new CrashDetector();
        detector.Prime(new TwinSnapshot
        {
            Vin = Vin,
            LastTelemetrySeq = 100,
            LastEventSeq = 7,
            Signals = new Dictionary<string, SignalReading>
            {
                [SignalCatalogue.SeatSignal(1, 1, "Airbag.IsDeployed")] = new(SignalValue.FromBoolean(true), Start),
                [SignalCatalogue.Speed] = new(SignalValue.FromNumber(0), Start),
            },
        });

        var replayed = detector.Observe(Message(Start + 1_000, 100, Sig.Airbag(1, 2, true)));
        var stillDeployed = detector.Observe(Message(Start + 1_000, 101, Sig.Airbag(1, 1, true)));
        var replayedEvent = detector.Observe(Events.Sos(Start + 2_000, seq: 7));
        var newEvent = detector.Observe(Events.Sos(Start + 2_000, seq: 8));

        Assert.Equal(CrashOutcome.Stale, replayed.Outcome);
        Assert.Equal(CrashOutcome.None, stillDeployed.Outcome);
        Assert.Equal(CrashOutcome.Stale, replayedEvent.Outcome);
        Assert.Equal(CrashOutcome.Raised, newEvent.Outcome);
        Assert.Equal(CrashSeverity.Minor, newEvent.Incident!.Severity);
    }

    [Fact]
    public void Primed_detector_updates_the_incident_it_was_given_instead_of_raising_another()
    {
        var published = new CrashIncident(
            At(Start), At(Start), CrashSeverity.Minor, CrashTrigger.SosButton, CrashTrigger.SosButton,
            Position: null, Occupants: null, SpeedBeforeKmh: null, DeltaVKmh: null, PeakAccelerationMps2: null, Revision: 3);
        var detector = new CrashDetector();
        detector.Prime(new TwinSnapshot { Vin = Vin, LastEventSeq = 4 }, published);

        var decision = detector.Observe(Events.Airbag(Start + 10_000, seq: 5));

        Assert.Equal(CrashOutcome.Updated, decision.Outcome);
        Assert.Equal(4, decision.Incident!.Revision);
        Assert.Equal(At(Start), decision.Incident.OccurredAt);
        Assert.Equal(CrashSeverity.Severe, decision.Incident.Severity);
    }

    [Fact]
    public void Priming_after_the_first_observation_is_refused()
    {
        var detector = new CrashDetector();
        detector.Observe(Message(Start, 1, Sig.Speed(10)));

        Assert.Throws<InvalidOperationException>(() => detector.Prime(new TwinSnapshot { Vin = Vin }));
    }

    [Fact]
    public void Alert_carries_vin_type_and_incident()
    {
        var incident = new CrashDetector().Observe(Events.Airbag(Start, seq: 1)).Incident!;

        var alert = CrashAlert.For(Vin, incident);

        Assert.Equal($"{Vin}-crash-{Start}", alert.Id);
        Assert.Equal(Vin, alert.Vin);
        Assert.Equal("crash", alert.Type);
        Assert.Same(incident, alert.Incident);
    }
}
