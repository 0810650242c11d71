using System.Text.Json;
using DigitalTwin.Contract.Notifications;
using DigitalTwin.Grains.Abstractions.Insights;
using DigitalTwin.Grains.Insights;

namespace DigitalTwin.Grains.Tests.Insights;

public sealed class DrivingFeedbackTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);

    private static BehaviourEvent Harsh(string kind, long ts) =>
        new(kind, DateTimeOffset.FromUnixTimeMilliseconds(ts), 3.4, new TripPosition(52.5, 13.4));

    [Fact]
    public void Repeated_harsh_acceleration_earns_one_eco_tip_with_the_evidence()
    {
        var feedback = new DrivingFeedback(TripRun.Vin, new InsightsOptions());
        var t = DriveTrace.Start;

        Assert.Null(feedback.Observe(t, [Harsh(BehaviourKinds.HarshAcceleration, t)], null, Now));
        Assert.Null(feedback.Observe(t + 60_000, [Harsh(BehaviourKinds.HarshAcceleration, t + 60_000)], null, Now));
        var tip = feedback.Observe(t + 120_000, [Harsh(BehaviourKinds.HarshAcceleration, t + 120_000)], null, Now);

        Assert.NotNull(tip);
        Assert.Equal(NotificationTypes.EcoTip, tip.Type);
        Assert.Equal(Now + TimeSpan.FromMinutes(10), tip.ExpiresAt);
        using var data = JsonDocument.Parse(tip.DataJson);
        Assert.Equal(BehaviourKinds.HarshAcceleration, data.RootElement.GetProperty("kind").GetString());
        Assert.Equal(3, data.RootElement.GetProperty("evidence").GetArrayLength());
    }

    [Fact]
    public void Tips_are_rate_limited_per_car_on_the_car_time()
    {
        var feedback = new DrivingFeedback(TripRun.Vin, new InsightsOptions { FeedbackHarshEvents = 1 });
        var t = DriveTrace.Start;

        var first = feedback.Observe(t, [Harsh(BehaviourKinds.HarshBraking, t)], null, Now);
        var tooSoon = feedback.Observe(t + 60_000, [Harsh(BehaviourKinds.HarshBraking, t + 60_000)], null, Now);
        var later = feedback.Observe(t + (16 * 60_000), [Harsh(BehaviourKinds.HarshBraking, t + (16 * 60_000))], null, Now);

        Assert.Equal(NotificationTypes.SafetyTip, first?.Type);
        Assert.Null(tooSoon);
        Assert.NotNull(later);
        Assert.NotEqual(first!.Id, later.Id);
    }

    [Fact]
    public void Sustained_speeding_earns_a_safety_tip_and_the_pacing_survives_a_restart()
    {
        var feedback = new DrivingFeedback(TripRun.Vin, new InsightsOptions());
        var t = DriveTrace.Start;

        Assert.Null(feedback.Observe(t + 30_000, [], t, Now));
        var tip = feedback.Observe(t + 61_000, [], t, Now);
        var restarted = new DrivingFeedback(TripRun.Vin, new InsightsOptions(), feedback.LastFeedbackTs);

        Assert.Equal(NotificationTypes.SafetyTip, tip?.Type);
        Assert.Null(restarted.Observe(t + 120_000, [], t, Now));
    }
}
