using DigitalTwin.Grains.Abstractions.Insights;
using DigitalTwin.Grains.Insights;

namespace DigitalTwin.Grains.Tests.Insights;

public sealed class ScoringTests
{
    private static readonly InsightsOptions Options = new();

    [Fact]
    public void A_trip_without_events_scores_100_on_both()
    {
        Assert.Equal((100.0, 100.0), TripScoring.Scores(BehaviourCounts.None, 42, 3600, Options));
    }

    [Fact]
    public void Events_are_rated_per_100_km_over_at_least_the_minimum_distance()
    {
        var twoBrakes = BehaviourCounts.None with { HarshBraking = 2 };

        // 10 km counts as 20 km: 2 brakes are 10 per 100 km, times weight 1.5.
        Assert.Equal((85.0, 85.0), TripScoring.Scores(twoBrakes, 10, 1200, Options));
        Assert.Equal((97.0, 97.0), TripScoring.Scores(twoBrakes, 100, 4000, Options));
    }

    [Fact]
    public void Speeding_and_high_speed_cost_by_their_share_of_driving_time()
    {
        var counts = BehaviourCounts.None with { SpeedingSeconds = 360, HighSpeedSeconds = 720, IdleSeconds = 0 };

        var (driving, eco) = TripScoring.Scores(counts, 100, 3600, Options);

        Assert.Equal(90, driving);
        Assert.Equal(90, eco);
    }

    [Fact]
    public void Co2_comes_from_fuel_by_its_type_or_from_energy_by_the_grid()
    {
        Assert.Equal(2348 * 5.0, TripScoring.Co2Grams(null, 5, Options));
        Assert.Equal(2689 * 5.0, TripScoring.Co2Grams(null, 5, new InsightsOptions { FuelType = FuelType.Diesel }));
        Assert.Equal(10 * 250.0, TripScoring.Co2Grams(10, null, Options));
        Assert.Null(TripScoring.Co2Grams(null, null, Options));
    }

    [Fact]
    public void A_score_card_weights_trips_by_distance_and_the_median_is_the_middle()
    {
        var shortTrip = Trip("a", 1, 50);
        var longTrip = Trip("b", 99, 100);

        var card = ScoreCard.Of([shortTrip, longTrip]);

        Assert.Equal(99.5, card.DrivingScore);
        Assert.Equal(100, card.DistanceKm);
        Assert.Equal(2, ScoreCard.Median([1, 2, 3]));
        Assert.Equal(2.5, ScoreCard.Median([1, 2, 3, 4]));
        Assert.Null(ScoreCard.Median([]));
    }

    internal static Trip Trip(string id, double km, double score, DateTimeOffset? endedAt = null, string vin = TripRun.Vin) => new(
        id, vin, (endedAt ?? DateTimeOffset.UnixEpoch) - TimeSpan.FromHours(1), endedAt ?? DateTimeOffset.UnixEpoch, null, null, km, DistanceSources.Odometer, 3600, 80, km,
        km * 0.2, null, km * 50, score, score, BehaviourCounts.None, [], InsightEndReasons.IgnitionOff);
}
