using DigitalTwin.Grains.Abstractions.Road;
using DigitalTwin.Grains.Road;

namespace DigitalTwin.Grains.Tests.Road;

public sealed class TrafficWindowTests
{
    // 12:00 UTC is midday at 13.4 E: not night.
    private static readonly DateTimeOffset Noon = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    private static RoadObservation Sample(TimeSpan after, double speed, double heading = 90, string vin = "CAR") =>
        new(vin, Noon + after, 52.52, 13.405, heading, speed, RoadIncident.None);

    [Theory]
    [InlineData(45, 50, CongestionLevel.Free)]
    [InlineData(30, 50, CongestionLevel.Slow)]
    [InlineData(20, 50, CongestionLevel.Congested)]
    [InlineData(10, 50, CongestionLevel.Jammed)]
    public void The_congestion_level_follows_the_ratio_of_mean_to_free_flow_speed(double mean, double freeFlow, CongestionLevel level) =>
        Assert.Equal(level, TrafficWindow.LevelOf(mean, freeFlow, samples: 10, minSamples: 3));

    [Fact]
    public void Too_few_samples_give_no_level() =>
        Assert.Equal(CongestionLevel.Unknown, TrafficWindow.LevelOf(5, 50, samples: 2, minSamples: 3));

    [Fact]
    public void A_slow_platoon_in_a_cell_without_history_is_jammed_against_the_default_free_flow()
    {
        var window = new TrafficWindow("u33dc0", new TrafficOptions());
        for (var i = 0; i < 5; i++)
        {
            window.Add(Sample(TimeSpan.FromSeconds(i), 8, vin: $"CAR{i}"));
        }

        var east = Assert.Single(window.Summaries(Noon + TimeSpan.FromSeconds(5)));
        Assert.Equal(TravelDirection.East, east.Direction);
        Assert.Equal(5, east.Samples);
        Assert.Equal(8, east.MeanSpeedKmh);
        Assert.False(east.FreeFlowLearned);
        Assert.Equal(CongestionLevel.Jammed, east.Level);
    }

    [Fact]
    public void Samples_leave_the_mean_once_they_are_older_than_the_window_and_directions_are_kept_apart()
    {
        var options = new TrafficOptions();
        var window = new TrafficWindow("u33dc0", options);
        window.Add(Sample(TimeSpan.Zero, 10));
        window.Add(Sample(TimeSpan.FromMinutes(4), 50));
        window.Add(Sample(TimeSpan.FromMinutes(4), 70, heading: 270));

        var summaries = window.Summaries(Noon + options.Window + TimeSpan.FromSeconds(1));

        Assert.Equal(50, summaries.Single(s => s.Direction == TravelDirection.East).MeanSpeedKmh);
        Assert.Equal(70, summaries.Single(s => s.Direction == TravelDirection.West).MeanSpeedKmh);
    }

    [Fact]
    public void The_free_flow_speed_is_learned_as_a_high_percentile_preferring_night_time_speeds()
    {
        var options = new TrafficOptions { MinFreeFlowSamples = 100 };
        var window = new TrafficWindow("u33dc0", options);
        var night = new DateTimeOffset(2026, 11, 24, 1, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 100; i++)
        {
            // Night: 60-79 km/h.
            window.Add(new RoadObservation("N", night.AddSeconds(i), 52.52, 13.405, 90, 60 + (i % 20), RoadIncident.None));
        }

        for (var i = 0; i < 100; i++)
        {
            // Day: a jam at 15 km/h, which must not drag free flow down.
            window.Add(Sample(TimeSpan.FromSeconds(i), 15));
        }

        var east = window.Summaries(Noon + TimeSpan.FromSeconds(100)).Single(s => s.Direction == TravelDirection.East);

        Assert.True(east.FreeFlowLearned);
        Assert.InRange(east.FreeFlowKmh, 76, 78);
        Assert.Equal(CongestionLevel.Jammed, east.Level);
    }

    [Theory]
    [InlineData(null, TravelDirection.Unknown)]
    [InlineData(0.0, TravelDirection.North)]
    [InlineData(44.9, TravelDirection.North)]
    [InlineData(45.0, TravelDirection.East)]
    [InlineData(180.0, TravelDirection.South)]
    [InlineData(315.0, TravelDirection.North)]
    [InlineData(314.0, TravelDirection.West)]
    public void A_heading_falls_in_the_quarter_of_the_compass_centred_on_its_direction(double? heading, TravelDirection direction) =>
        Assert.Equal(direction, TrafficWindow.DirectionOf(heading));
}
