using DigitalTwin.Grains.Abstractions.Insights;
using DigitalTwin.Grains.Insights;
using DigitalTwin.Grains.Tests.Crash;
using DigitalTwin.Contract.Telemetry;

namespace DigitalTwin.Grains.Tests.Insights;

public sealed class TripTrackerTests
{
    private static DriveTrace CityDrive()
    {
        var trace = new DriveTrace();
        trace.Ignition("ON").Hold(5, 0)
            .Ramp(10, 0, 50).Hold(120, 50).Ramp(8, 50, 0)
            .Hold(40, 0)
            .Ramp(10, 0, 50).Hold(180, 50).Ramp(8, 50, 0)
            .Hold(5, 0).Ignition("OFF").Hold(1, 0).Hold(60, 0);
        return trace;
    }

    [Fact]
    public void A_city_drive_with_a_red_light_is_one_trip_that_ends_when_the_ignition_goes_off()
    {
        var trace = CityDrive();

        var run = new TripRun().Feed(trace.Messages);

        var trip = Assert.Single(run.Trips);
        Assert.Equal(InsightEndReasons.IgnitionOff, trip.EndReason);
        Assert.Equal(DistanceSources.Odometer, trip.DistanceSource);
        Assert.Equal(trace.DrivenKm, trip.DistanceKm, 0.002);
        Assert.Equal(DriveTrace.Start + 5_000, trip.StartedAt.ToUnixTimeMilliseconds());
        Assert.Equal(50, trip.MaxSpeedKmh);
        Assert.InRange(trip.Counts.IdleSeconds, 38, 48);
        Assert.Equal(trip.DistanceKm / (trip.DurationSeconds / 3600), trip.MeanSpeedKmh, 0.1);
        Assert.Equal(trace.DrivenKm * 0.2, trip.EnergyKwh!.Value, 0.01);
        Assert.Equal(trip.EnergyKwh!.Value * 250, trip.Co2Grams!.Value, 1);
        Assert.Equal(100, trip.DrivingScore);
        Assert.Equal(Trip.IdFor(TripRun.Vin, trip.StartedAt.ToUnixTimeMilliseconds()), trip.Id);
        Assert.NotNull(trip.StartPosition);
        Assert.NotNull(trip.EndPosition);
    }

    [Fact]
    public void A_motorway_drive_above_the_limit_ends_at_its_last_moving_sample_after_a_standstill_and_shows_the_speeding()
    {
        var trace = new DriveTrace();
        trace.Ramp(30, 0, 140).Hold(600, 140).Ramp(30, 140, 0).Hold(200, 0);
        var lastMoving = trace.Messages.Last(m => m.Signals.Any(s => s.Name == SignalCatalogue.Speed && s.Value.Number >= 5)).Ts;

        var run = new TripRun().Feed(trace.Messages);

        var trip = Assert.Single(run.Trips);
        Assert.Equal(InsightEndReasons.Standstill, trip.EndReason);
        Assert.Equal(lastMoving, trip.EndedAt.ToUnixTimeMilliseconds());
        Assert.InRange(trip.Counts.SpeedingSeconds, 600, 610);
        var speeding = Assert.Single(trip.Events, e => e.Kind == BehaviourKinds.Speeding);
        Assert.Equal(140, speeding.Value);
        Assert.InRange(trip.DrivingScore, 0, 20);
        Assert.InRange(trip.EcoScore, 40, 70);
    }

    [Fact]
    public void A_standstill_shorter_than_the_limit_does_not_split_the_trip()
    {
        var trace = new DriveTrace();
        trace.Ramp(10, 0, 50).Hold(60, 50).Ramp(5, 50, 0).Hold(170, 0).Ramp(10, 0, 50).Hold(60, 50).Ramp(5, 50, 0).Hold(200, 0);

        var run = new TripRun().Feed(trace.Messages);

        Assert.Single(run.Trips);
    }

    [Fact]
    public void A_parked_car_whose_fix_wanders_makes_no_trip_whether_it_sends_speed_or_not()
    {
        var random = new Random(17);
        var withSpeed = new DriveTrace();
        var withoutSpeed = new DriveTrace();
        for (var i = 0; i < 1800; i++)
        {
            // Consumer GNSS while parked between buildings: 5-30 m of wander.
            var lat = 52.52 + ((random.NextDouble() - 0.5) * 2 * 25 / 111_320);
            var lon = 13.405 + ((random.NextDouble() - 0.5) * 2 * 25 / 68_000);
            withSpeed.Raw(Sig.Speed(0), Sig.Num(SignalCatalogue.Latitude, lat), Sig.Num(SignalCatalogue.Longitude, lon));
            withoutSpeed.Raw(Sig.Num(SignalCatalogue.Latitude, lat), Sig.Num(SignalCatalogue.Longitude, lon));
        }

        var first = new TripRun().Feed(withSpeed.Messages);
        var second = new TripRun().Feed(withoutSpeed.Messages);

        Assert.Equal((0, 0), (first.Started, first.Trips.Count));
        Assert.Equal((0, 0), (second.Started, second.Trips.Count));
    }

    [Fact]
    public void A_car_that_sends_no_speed_still_has_its_trip_found_from_its_positions()
    {
        var trace = new DriveTrace { SendsSpeed = false, SendsOdometer = false };
        trace.Hold(5, 0).Hold(300, 60).Hold(240, 0);

        var trip = Assert.Single(new TripRun().Feed(trace.Messages).Trips);

        Assert.Equal(DistanceSources.Gps, trip.DistanceSource);
        Assert.Equal(trace.DrivenKm, trip.DistanceKm, 0.2);
    }

    [Fact]
    public void A_tunnel_without_a_fix_for_two_minutes_neither_splits_the_trip_nor_loses_its_distance()
    {
        var trace = new DriveTrace { SendsOdometer = false };
        trace.Ramp(10, 0, 60).Hold(60, 60);
        trace.SendsPosition = false;
        trace.Hold(120, 60);
        trace.SendsPosition = true;
        trace.Hold(60, 60).Ramp(10, 60, 0).Ignition("OFF").Hold(1, 0);

        var trip = Assert.Single(new TripRun().Feed(trace.Messages).Trips);

        Assert.Equal(DistanceSources.Gps, trip.DistanceSource);
        // The straight line through the tunnel is the road here; GPS starts at the first fix of the trip.
        Assert.Equal(trace.DrivenKm, trip.DistanceKm, 0.05);
    }

    [Fact]
    public void Duplicated_reordered_and_replayed_samples_give_the_same_single_trip()
    {
        var clean = new TripRun().Feed(CityDrive().Messages).Trips.Single();
        var messages = CityDrive().Messages;
        var messy = new List<TelemetryMessage>();
        for (var i = 0; i < messages.Count; i++)
        {
            if (i % 50 == 7 && i + 1 < messages.Count)
            {
                // The later sample overtakes the earlier one, which then arrives stale.
                messy.Add(messages[i + 1]);
                messy.Add(messages[i]);
                messy.Add(messages[i + 1]);
                i++;
                continue;
            }

            messy.Add(messages[i]);
            if (i % 10 == 0)
            {
                messy.Add(messages[i]);
            }
        }

        var run = new TripRun().Feed(messy).Feed(messages);

        var trip = Assert.Single(run.Trips);
        Assert.Equal(clean.Id, trip.Id);
        Assert.Equal(clean.DistanceKm, trip.DistanceKm, 0.001);
        Assert.Equal(clean.EndedAt, trip.EndedAt);
    }

    [Fact]
    public void A_silo_restart_in_the_middle_of_a_trip_resumes_it_from_the_checkpoint()
    {
        var clean = new TripRun().Feed(CityDrive().Messages).Trips.Single();
        var messages = CityDrive().Messages;
        var half = messages.Count / 2;
        var before = new TripRun().Feed(messages.Take(half));
        Assert.NotNull(before.Tracker.Open);

        var checkpoint = InsightsProgress.FromJson(new InsightsProgress { Trip = before.Tracker.Open }.ToJson());
        var after = new TripRun(new TripTracker(TripRun.Vin, new TripOptions(), new InsightsOptions(), checkpoint.Trip)).Feed(messages.Skip(half));

        Assert.Empty(before.Trips);
        var trip = Assert.Single(after.Trips);
        Assert.Equal(clean.Id, trip.Id);
        Assert.Equal(clean.DistanceKm, trip.DistanceKm, 0.001);
        Assert.Equal(clean.EnergyKwh!.Value, trip.EnergyKwh!.Value, 0.001);
        Assert.Equal(clean.Counts.IdleSeconds, trip.Counts.IdleSeconds, 1);
    }

    [Fact]
    public void A_car_silent_longer_than_the_data_gap_ends_its_trip_at_the_last_sample_before_the_gap()
    {
        var trace = new DriveTrace();
        trace.Ramp(10, 0, 50).Hold(60, 50);
        var lastBeforeGap = trace.NextTs - 1000;
        var messages = trace.Messages.ToList();
        var later = new DriveTrace(odometerKm: trace.Odometer);
        later.Hold(1, 50);
        var shifted = later.Messages.Select(m => m with { Ts = m.Ts + (lastBeforeGap - DriveTrace.Start) + (long)TimeSpan.FromMinutes(20).TotalMilliseconds, Seq = m.Seq + 1000 });

        var run = new TripRun().Feed(messages).Feed(shifted);

        var trip = Assert.Single(run.Trips);
        Assert.Equal(InsightEndReasons.DataGap, trip.EndReason);
        Assert.Equal(lastBeforeGap, trip.EndedAt.ToUnixTimeMilliseconds());
        Assert.NotNull(run.Tracker.Open);
    }

    [Fact]
    public void A_trip_shorter_than_the_minimum_distance_is_not_kept()
    {
        var trace = new DriveTrace();
        trace.Ramp(3, 0, 10).Hold(10, 10).Ramp(3, 10, 0).Ignition("OFF").Hold(1, 0);

        var run = new TripRun().Feed(trace.Messages);

        Assert.Equal(1, run.Started);
        Assert.Empty(run.Trips);
        Assert.Null(run.Tracker.Open);
    }
}
