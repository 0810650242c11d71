using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Road;
using DigitalTwin.Grains.Abstractions.Telemetry;
using DigitalTwin.Grains.Road;

namespace DigitalTwin.Grains.Tests.Road;

public sealed class RoadFeedTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);
    private readonly Dictionary<string, SignalReading> _twin = new(StringComparer.Ordinal);
    private readonly RoadFeed _feed = new(new HazardOptions(), new TrafficOptions());
    private long _seq;

    private (string Cell, RoadObservation Observation)? Send(double seconds, double lat, double lon, params SignalSample[] extra)
    {
        SignalSample[] signals =
        [
            new(SignalCatalogue.Latitude, SignalValue.FromNumber(lat)),
            new(SignalCatalogue.Longitude, SignalValue.FromNumber(lon)),
            new(SignalCatalogue.Speed, SignalValue.FromNumber(50)),
            .. extra,
        ];
        foreach (var s in signals)
        {
            _twin[s.Name] = new SignalReading(s.Value, 0);
        }

        return _feed.Observe("CAR", new TelemetryMessage(0, ++_seq, signals, T0), _twin, T0.AddSeconds(seconds));
    }

    [Fact]
    public void A_car_in_one_spot_tells_its_cell_once_per_sample_interval_and_at_once_when_it_enters_another_spot()
    {
        var first = Send(0, 52.52, 13.405);
        Assert.NotNull(first);
        Assert.Equal(Geohash.Encode(52.52, 13.405, Geohash.CellPrecision), first.Value.Cell);

        Assert.Null(Send(1, 52.52, 13.40501));
        Assert.Null(Send(9, 52.52, 13.40502));
        Assert.NotNull(Send(10, 52.52, 13.40503));
        var moved = Send(11, 52.52, 13.408);
        Assert.NotNull(moved);
        Assert.InRange(moved.Value.Observation.Heading!.Value, 89, 91);
    }

    [Fact]
    public void Hard_braking_is_told_at_once_and_an_engaged_ABS_only_when_it_engages()
    {
        Send(0, 52.52, 13.405);

        var braking = Send(1, 52.52, 13.405, new SignalSample(SignalCatalogue.AccelerationLongitudinal, SignalValue.FromNumber(-6)));
        var abs = Send(2, 52.52, 13.405, new SignalSample(SignalCatalogue.AbsEngaged, SignalValue.FromBoolean(true)));
        var stillAbs = Send(3, 52.52, 13.405, new SignalSample(SignalCatalogue.AbsEngaged, SignalValue.FromBoolean(true)));
        var gentle = Send(4, 52.52, 13.405, new SignalSample(SignalCatalogue.AccelerationLongitudinal, SignalValue.FromNumber(-2)));

        Assert.Equal(RoadIncident.HardBraking, braking!.Value.Observation.Incident);
        Assert.Equal(RoadIncident.AbsEngaged, abs!.Value.Observation.Incident);
        Assert.Null(stillAbs);
        Assert.Null(gentle);
    }

    [Fact]
    public void A_car_that_never_reported_a_position_tells_the_road_nothing()
    {
        var message = new TelemetryMessage(0, 1, [new(SignalCatalogue.AccelerationLongitudinal, SignalValue.FromNumber(-9))], T0);

        Assert.Null(_feed.Observe("CAR", message, new Dictionary<string, SignalReading>(), T0));
    }
}
