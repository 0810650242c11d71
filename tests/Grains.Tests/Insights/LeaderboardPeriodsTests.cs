using DigitalTwin.Grains.Abstractions.Insights;

namespace DigitalTwin.Grains.Tests.Insights;

public sealed class LeaderboardPeriodsTests
{
    [Theory]
    [InlineData("2026-12-03T10:00:00Z", "month", "month:2026-12", "2026-12-01", "2027-01-01")]
    [InlineData("2026-12-03T10:00:00Z", "week", "week:2026-W49", "2026-11-30", "2026-12-07")]
    [InlineData("2027-01-01T00:00:00Z", "week", "week:2026-W53", "2026-12-28", "2027-01-04")]
    public void A_period_key_names_the_calendar_month_or_iso_week_and_parses_back(string at, string kind, string key, string from, string to)
    {
        var instant = DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(key, LeaderboardPeriods.Key(kind, instant));
        Assert.True(LeaderboardPeriods.TryParseKey(key, out var parsedKind, out var start, out var end));
        Assert.Equal((kind, from, to), (parsedKind, start.ToString("yyyy-MM-dd"), end.ToString("yyyy-MM-dd")));
    }

    [Theory]
    [InlineData("year:2026")]
    [InlineData("month:2026-13")]
    [InlineData("week:2026-W99")]
    [InlineData("month")]
    public void Anything_else_is_not_a_period_key(string key)
    {
        Assert.False(LeaderboardPeriods.TryParseKey(key, out _, out _, out _));
    }
}
