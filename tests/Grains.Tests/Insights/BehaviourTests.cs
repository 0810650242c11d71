using DigitalTwin.Contract.Events;
using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Insights;
using DigitalTwin.Grains.Tests.Crash;

namespace DigitalTwin.Grains.Tests.Insights;

public sealed class BehaviourTests
{
    private static Trip Drive(Action<DriveTrace> middle)
    {
        var trace = new DriveTrace();
        trace.Ramp(20, 0, 80).Hold(60, 80);
        middle(trace);
        trace.Hold(60, 80).Ramp(20, 80, 0).Ignition("OFF").Hold(1, 0);
        return Assert.Single(new TripRun().Feed(trace.Messages).Trips);
    }

    [Fact]
    public void One_harsh_brake_is_one_event_with_its_deceleration_however_many_samples_it_spans()
    {
        var trip = Drive(t => t.Hold(2, 80, longitudinal: -6).Hold(1, 70, longitudinal: -4));

        var brake = Assert.Single(trip.Events, e => e.Kind == BehaviourKinds.HarshBraking);
        Assert.Equal(-6, brake.Value);
        Assert.NotNull(brake.Position);
        Assert.Equal(1, trip.Counts.HarshBraking);
        Assert.True(trip.DrivingScore < 100);
    }

    [Fact]
    public void A_pothole_at_speed_is_a_road_shock_not_a_harsh_brake()
    {
        var sameSample = Drive(t => t.Hold(1, 80, longitudinal: -5, vertical: 9));
        var shockAfter = Drive(t => t.Hold(1, 80, longitudinal: -5).Hold(1, 80, vertical: -8));

        foreach (var trip in new[] { sameSample, shockAfter })
        {
            Assert.Equal(0, trip.Counts.HarshBraking);
            Assert.Equal(1, trip.Counts.Potholes);
            Assert.Equal(100, trip.DrivingScore);
        }
    }

    [Fact]
    public void Harsh_acceleration_and_cornering_are_counted_apart()
    {
        var trip = Drive(t => t.Hold(1, 60, longitudinal: 3.5).Hold(2, 60).Hold(1, 60, lateral: -5));

        Assert.Equal((1, 1, 0), (trip.Counts.HarshAcceleration, trip.Counts.HarshCornering, trip.Counts.HarshBraking));
    }

    [Fact]
    public void Adas_warnings_count_once_per_rising_edge_and_adas_events_count_too()
    {
        var trace = new DriveTrace();
        trace.Ramp(20, 0, 80).Hold(30, 80)
            .With(Sig.Bool(SignalCatalogue.LaneDepartureWarning, true)).Hold(1, 80)
            .With(Sig.Bool(SignalCatalogue.LaneDepartureWarning, true)).Hold(1, 80)
            .With(Sig.Bool(SignalCatalogue.LaneDepartureWarning, false)).Hold(1, 80);
        var eventsAt = trace.Messages.Count;
        var eventTs = trace.NextTs - 500;
        trace.Hold(30, 80).Ramp(20, 80, 0).Ignition("OFF").Hold(1, 0);

        var run = new TripRun().Feed(trace.Messages.Take(eventsAt));
        run.Tracker.Observe(new VehicleEvent(eventTs, 1, "ForwardCollisionWarning", "{}", DateTimeOffset.UtcNow), run.Events);
        run.Tracker.Observe(new VehicleEvent(eventTs, 2, "SosButton", "{}", DateTimeOffset.UtcNow), run.Events);
        run.Feed(trace.Messages.Skip(eventsAt));

        var trip = Assert.Single(run.Trips);
        Assert.Equal(2, trip.Counts.AdasInterventions);
        Assert.Equal(
            [SignalCatalogue.LaneDepartureWarning, "ForwardCollisionWarning"],
            trip.Events.Where(e => e.Kind == BehaviourKinds.AdasIntervention).Select(e => e.Detail));
    }
}
