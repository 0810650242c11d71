using DigitalTwin.Grains.Preconditioning;

namespace DigitalTwin.Grains.Tests.Preconditioning;

/// <summary>The departure and target rules that the REST plan, the command policy and the planner share.</summary>
public sealed class PreconditioningRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 6, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("2026-11-24T07:30Z", "2026-11-24T07:30:00+00:00")]
    [InlineData("2026-11-24T07:30:00z", "2026-11-24T07:30:00+00:00")]
    [InlineData("2026-11-24T07:30:00+01:00", "2026-11-24T06:30:00+00:00")]
    [InlineData("2026-11-24T01:30:00.250-05:00", "2026-11-24T06:30:00.25+00:00")]
    [InlineData("2026-11-24T07:30:00.1234567+01:00", "2026-11-24T06:30:00.1234567+00:00")]
    public void A_departure_is_iso_8601_with_an_offset_or_z(string text, string instant)
    {
        Assert.True(DepartureTime.TryParse(text, out var departure));
        Assert.Equal(DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture), departure);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("2026-11-24T07:30:00")]
    [InlineData("2026-11-24")]
    [InlineData("24/11/2026 07:30 +01:00")]
    [InlineData("2026-11-24 07:30:00+01:00")]
    [InlineData("2026-11-24T25:30:00Z")]
    [InlineData("tomorrow morning")]
    public void Anything_else_is_not_a_departure(string? text)
    {
        Assert.False(DepartureTime.TryParse(text, out _));
    }

    [Theory]
    [InlineData("2026-11-24T05:59:59Z", DepartureCheck.NotInFuture)]
    [InlineData("2026-11-24T06:00:00Z", DepartureCheck.NotInFuture)]
    [InlineData("2026-11-24T06:00:01Z", DepartureCheck.Valid)]
    [InlineData("2026-12-01T06:00:00Z", DepartureCheck.Valid)]
    [InlineData("2026-12-01T06:00:01Z", DepartureCheck.TooFarAhead)]
    public void A_departure_lies_after_now_and_within_the_horizon(string text, DepartureCheck expected)
    {
        Assert.True(DepartureTime.TryParse(text, out var departure));

        Assert.Equal(expected, DepartureTime.Check(departure, Now, TimeSpan.FromDays(7)));
    }

    [Theory]
    [InlineData(16.0, true)]
    [InlineData(28.0, true)]
    [InlineData(21.5, true)]
    [InlineData(15.9, false)]
    [InlineData(28.1, false)]
    [InlineData(double.NaN, false)]
    [InlineData(double.PositiveInfinity, false)]
    public void A_target_temperature_is_finite_and_from_16_to_28(double celsius, bool valid)
    {
        Assert.Equal(valid, TargetTemperature.IsValid(celsius));
    }
}
