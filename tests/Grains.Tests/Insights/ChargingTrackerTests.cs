using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Insights;
using DigitalTwin.Grains.Insights;
using DigitalTwin.Grains.Tests.Crash;

namespace DigitalTwin.Grains.Tests.Insights;

public sealed class ChargingTrackerTests
{
    private static List<InsightSample> Charge(double from, double to, bool stopWithCharging = true)
    {
        var samples = new List<InsightSample>();
        var ts = DriveTrace.Start;
        samples.Add(new InsightSample { Ts = ts, StateOfCharge = from, ChargeLimit = to, CableConnected = true, IsCharging = false });
        for (var soc = from; soc <= to; soc += 1)
        {
            ts += 60_000;
            samples.Add(new InsightSample { Ts = ts, StateOfCharge = soc, IsCharging = true, CableConnected = true });
        }

        ts += 60_000;
        samples.Add(stopWithCharging
            ? new InsightSample { Ts = ts, StateOfCharge = to, IsCharging = false, CableConnected = true }
            : new InsightSample { Ts = ts, StateOfCharge = to, CableConnected = false });
        return samples;
    }

    private static List<ChargingSession> Feed(ChargingTracker tracker, IEnumerable<InsightSample> samples) =>
        samples.Select(s => tracker.Observe(s, 75).Finished).OfType<ChargingSession>().ToList();

    [Fact]
    public void A_session_records_the_energy_added_and_whether_the_limit_was_reached()
    {
        var session = Assert.Single(Feed(new ChargingTracker(TripRun.Vin, new InsightsOptions()), Charge(40, 80)));

        Assert.Equal((40.0, 80.0), (session.StartSocPercent, session.EndSocPercent));
        Assert.Equal(30, session.EnergyAddedKwh!.Value, 0.001);
        Assert.True(session.LimitReached);
        Assert.Equal(InsightEndReasons.ChargingStopped, session.EndReason);
        Assert.Equal(ChargingSession.IdFor(TripRun.Vin, DriveTrace.Start + 60_000), session.Id);
    }

    [Fact]
    public void Unplugging_early_ends_the_session_below_its_limit()
    {
        var samples = Charge(40, 60, stopWithCharging: false);
        samples[0] = samples[0] with { ChargeLimit = 90 };

        var session = Assert.Single(Feed(new ChargingTracker(TripRun.Vin, new InsightsOptions()), samples));

        Assert.False(session.LimitReached);
        Assert.Equal(InsightEndReasons.Unplugged, session.EndReason);
    }

    [Fact]
    public void A_session_interrupted_by_a_silo_restart_is_finished_once_from_its_checkpoint()
    {
        var samples = Charge(20, 80);
        var before = new ChargingTracker(TripRun.Vin, new InsightsOptions());
        Assert.Empty(Feed(before, samples.Take(30)));

        var checkpoint = InsightsProgress.FromJson(new InsightsProgress { Charge = before.Open }.ToJson());
        var after = new ChargingTracker(TripRun.Vin, new InsightsOptions(), checkpoint.Charge);
        var session = Assert.Single(Feed(after, samples.Skip(30)));

        Assert.Equal(20, session.StartSocPercent);
        Assert.Equal(45, session.EnergyAddedKwh!.Value, 0.001);
        Assert.Equal(DriveTrace.Start + 60_000, session.StartedAt.ToUnixTimeMilliseconds());
    }

    [Fact]
    public void Replayed_samples_do_not_start_a_second_session()
    {
        var tracker = new ChargingTracker(TripRun.Vin, new InsightsOptions());
        var samples = Charge(40, 50);

        var sessions = Feed(tracker, samples.Concat(samples));

        Assert.Single(sessions);
    }
}
