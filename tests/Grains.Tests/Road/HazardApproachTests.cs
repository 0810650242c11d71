using DigitalTwin.Grains.Abstractions.Road;
using DigitalTwin.Grains.Road;

namespace DigitalTwin.Grains.Tests.Road;

public sealed class HazardApproachTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);
    private static readonly HazardOptions Options = new();

    // Eastbound, at 52.52 N 13.405 E; 0.01 degrees of longitude there is ~680 m.
    private static readonly RoadHazard Hazard = new("hazard-x", "u33dc0", RoadIncident.HardBraking, 52.52, 13.405, 90, 2, Now, Now, Now.AddMinutes(30));

    private static RoadObservation Car(double lon, double? heading, double speed = 50, double lat = 52.52) =>
        new("CAR", Now, lat, lon, heading, speed, RoadIncident.None);

    [Fact]
    public void A_car_behind_the_hazard_driving_its_way_within_reach_is_approaching() =>
        Assert.True(HazardApproach.IsAhead(Car(13.395, 85), Hazard, Options, out _));

    [Fact]
    public void A_car_on_the_other_carriageway_is_not_approaching() =>
        Assert.False(HazardApproach.IsAhead(Car(13.415, 270), Hazard, Options, out _));

    [Fact]
    public void A_car_that_already_passed_the_hazard_is_not_approaching() =>
        Assert.False(HazardApproach.IsAhead(Car(13.415, 90), Hazard, Options, out _));

    [Fact]
    public void A_car_already_at_the_hazard_is_not_told_about_it() =>
        Assert.False(HazardApproach.IsAhead(Car(13.4049, 90, speed: 0), Hazard, Options, out _));

    [Fact]
    public void A_car_beyond_the_notify_distance_is_not_approaching_yet() =>
        Assert.False(HazardApproach.IsAhead(Car(13.36, 90), Hazard, Options, out var distance) || distance < Options.NotifyDistanceMeters);

    [Fact]
    public void A_slow_car_that_would_take_longer_than_the_horizon_to_arrive_is_not_told_yet() =>
        Assert.False(HazardApproach.IsAhead(Car(13.38, 90, speed: 20), Hazard, Options, out _));

    [Theory]
    [InlineData(350, 10, true)]
    [InlineData(90, 135, true)]
    [InlineData(90, 136, false)]
    [InlineData(0, 180, false)]
    public void Directions_match_within_the_tolerance_across_north(double a, double b, bool same) =>
        Assert.Equal(same, GeoMath.SameDirection(a, b, Options.HeadingToleranceDegrees));

    [Fact]
    public void An_unknown_heading_matches_any_direction() =>
        Assert.True(GeoMath.SameDirection(null, 180, 45));
}
