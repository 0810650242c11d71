using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Crash;
using static DigitalTwin.Grains.Tests.Crash.TelemetryTrace;

namespace DigitalTwin.Grains.Tests.Crash;

/// <summary>Traces that look dramatic but are not crashes, and samples that must not count.</summary>
public sealed class CrashDetectorFalseAlarmTests
{
    [Fact]
    public void Pothole_spike_at_speed_is_not_a_crash()
    {
        var trace = new TelemetryTrace(hz: 100);
        trace.Hold(seconds: 2, speed: 80);
        trace.Samples(
            speeds: [80, 80, 79.8, 79.8, 79.7],
            vertical: [-5, -35, -60, 25, 5]);
        trace.Hold(seconds: 5, speed: 79.5);

        var decisions = trace.FeedAllTo(new CrashDetector());

        Assert.All(decisions, d => Assert.Equal(CrashOutcome.None, d.Outcome));
    }

    [Fact]
    public void Longitudinal_jolt_beyond_4_g_without_a_speed_drop_is_not_a_crash()
    {
        var trace = new TelemetryTrace(hz: 100);
        trace.Hold(seconds: 2, speed: 50);

        // A kerb or a deep pothole: a violent but short jolt, and the car drives on.
        trace.Samples(speeds: [50, 48, 47, 47], longitudinal: [-20, -48, -55, -10]);
        trace.Hold(seconds: 5, speed: 46);

        Assert.Empty(trace.FeedTo(new CrashDetector()));
    }

    [Fact]
    public void Hard_braking_to_a_standstill_is_not_a_crash()
    {
        var trace = new TelemetryTrace(hz: 50);
        trace.Hold(seconds: 2, speed: 100);

        // About 1 g, which stops a car from 100 km/h within the 3 s window: only the peak tells it from an impact.
        trace.Ramp(seconds: 2.8, fromSpeed: 100, toSpeed: 0);
        trace.With(Sig.Bool(SignalCatalogue.AbsEngaged, true), Sig.Bool(SignalCatalogue.EbaEngaged, true))
            .Hold(seconds: 3, speed: 0);

        Assert.Empty(trace.FeedTo(new CrashDetector()));
    }

    [Fact]
    public void Knock_to_a_parked_car_is_not_a_crash()
    {
        var trace = new TelemetryTrace(hz: 100);
        trace.Hold(seconds: 3, speed: 0);
        trace.Samples(speeds: [0, 0, 0, 0], longitudinal: [25, 70, 20, 0], lateral: [10, 45, 12, 0]);
        trace.Hold(seconds: 3, speed: 0);

        Assert.Empty(trace.FeedTo(new CrashDetector()));
    }

    [Fact]
    public void Impact_at_creeping_speed_below_the_moving_threshold_is_not_a_crash()
    {
        var trace = new TelemetryTrace(hz: 100);
        trace.Hold(seconds: 2, speed: 12);
        trace.Samples(speeds: [12, 6, 1], longitudinal: [-30, -60, -15]);
        trace.Hold(seconds: 2, speed: 0);

        Assert.Empty(trace.FeedTo(new CrashDetector()));
    }

    [Fact]
    public void Speed_drop_later_than_the_window_after_the_peak_is_not_a_crash()
    {
        var trace = new TelemetryTrace(hz: 50);
        trace.Hold(seconds: 2, speed: 40);
        trace.Samples(speeds: [40, 38, 37], longitudinal: [-20, -50, -20]);

        // The driver carries on for a while and only then brakes to a normal stop.
        trace.Hold(seconds: 3.5, speed: 37);
        trace.Ramp(seconds: 3, fromSpeed: 37, toSpeed: 0);
        trace.Hold(seconds: 2, speed: 0);

        Assert.Empty(trace.FeedTo(new CrashDetector()));
    }

    [Fact]
    public void Peak_without_any_speed_data_cannot_be_confirmed()
    {
        var detector = new CrashDetector();
        long seq = 0;
        for (var i = 0; i < 50; i++)
        {
            var accel = i == 10 ? -120.0 : 0.0;
            var decision = detector.Observe(Message(Start + (i * 10), ++seq, Sig.Num(SignalCatalogue.AccelerationLongitudinal, accel)));
            Assert.Equal(CrashOutcome.None, decision.Outcome);
        }

        Assert.Null(detector.LatestIncident);
    }

    [Fact]
    public void Out_of_order_sample_is_stale_and_its_peak_cannot_raise_a_crash_later()
    {
        var detector = new CrashDetector();
        Assert.Equal(CrashOutcome.None, detector.Observe(Message(Start + 1_000, 10, Sig.Speed(50))).Outcome);
        Assert.Equal(CrashOutcome.None, detector.Observe(Message(Start + 1_100, 11, Sig.Speed(50))).Outcome);

        // A newer seq but an older car time, and an older seq with a newer time: both are stale.
        var olderTs = detector.Observe(Message(Start + 1_050, 12, Sig.Speed(0), Sig.Num(SignalCatalogue.AccelerationLongitudinal, -90)));
        var olderSeq = detector.Observe(Message(Start + 1_150, 9, Sig.Speed(0), Sig.Num(SignalCatalogue.AccelerationLongitudinal, -90)));

        Assert.Equal(CrashOutcome.Stale, olderTs.Outcome);
        Assert.Equal(CrashOutcome.Stale, olderSeq.Outcome);

        // Had the stale peak been kept, this standstill would confirm it.
        var next = detector.Observe(Message(Start + 1_200, 13, Sig.Speed(2)));
        Assert.Equal(CrashOutcome.None, next.Outcome);
        Assert.Null(detector.LatestIncident);
    }

    [Fact]
    public void Stale_sample_with_a_deployed_airbag_raises_nothing()
    {
        var detector = new CrashDetector();
        detector.Observe(Message(Start + 1_000, 5, Sig.Speed(0)));

        var stale = detector.Observe(Message(Start + 900, 6, Sig.Airbag(1, 1, true)));

        Assert.Equal(CrashOutcome.Stale, stale.Outcome);
        Assert.Null(detector.LatestIncident);
    }

    [Fact]
    public void Duplicated_delivery_of_a_crash_trace_raises_exactly_one_incident()
    {
        var trace = new TelemetryTrace(hz: 100);
        trace.Hold(seconds: 1, speed: 55);
        trace.Samples(speeds: [55, 40, 20, 3], longitudinal: [-30, -80, -95, -20]);
        trace.Hold(seconds: 1, speed: 0);
        var detector = new CrashDetector();

        var outcomes = new List<CrashOutcome>();
        foreach (var message in trace.Messages)
        {
            outcomes.Add(detector.Observe(message).Outcome);
            outcomes.Add(detector.Observe(message).Outcome);
        }

        Assert.Equal(1, outcomes.Count(o => o == CrashOutcome.Raised));
        Assert.Equal(trace.Messages.Count, outcomes.Count(o => o == CrashOutcome.Stale));
        Assert.DoesNotContain(CrashOutcome.Updated, outcomes);
    }

    [Fact]
    public void Duplicate_sos_event_is_stale_and_leaves_the_incident_alone()
    {
        var detector = new CrashDetector();
        var sos = Events.Sos(Start, seq: 1);
        detector.Observe(sos);

        var again = detector.Observe(sos);

        Assert.Equal(CrashOutcome.Stale, again.Outcome);
        Assert.Equal(1, detector.LatestIncident!.Revision);
    }

    [Fact]
    public void Airbag_that_stays_deployed_is_one_incident_even_long_after_the_window()
    {
        var trace = new TelemetryTrace(hz: 10);
        trace.Hold(seconds: 2, speed: 0);
        trace.Hold(seconds: 150, speed: 0, each: [Sig.Airbag(1, 1, true), Sig.Airbag(1, 2, true)]);

        var raised = Assert.Single(trace.FeedTo(new CrashDetector()));
        Assert.Equal(CrashOutcome.Raised, raised.Outcome);
    }
}
