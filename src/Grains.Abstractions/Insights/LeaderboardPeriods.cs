using System.Globalization;

namespace DigitalTwin.Grains.Abstractions.Insights;

/// <summary>
/// The periods a leaderboard ranks over (the <c>period</c> query word) and the key of each period's aggregate grain:
/// <c>month:2026-12</c>, <c>week:2026-W49</c>. Periods are calendar months and ISO weeks in UTC.
/// </summary>
public static class LeaderboardPeriods
{
    public const string Week = "week";
    public const string Month = "month";

    public static IReadOnlyList<string> All { get; } = [Week, Month];

    public static bool IsKnown(string? period) => period is Week or Month;

    /// <summary>The start (inclusive) and end (exclusive) of the period of <paramref name="kind"/> holding <paramref name="at"/>.</summary>
    public static (DateTimeOffset From, DateTimeOffset To) Bounds(string kind, DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        if (kind == Month)
        {
            var from = new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero);
            return (from, from.AddMonths(1));
        }

        if (kind == Week)
        {
            // ISO weeks start on Monday.
            var day = new DateTimeOffset(utc.Date, TimeSpan.Zero);
            var from = day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
            return (from, from.AddDays(7));
        }

        throw new ArgumentException($"unknown period '{kind}'", nameof(kind));
    }

    public static string Key(string kind, DateTimeOffset at)
    {
        var (from, _) = Bounds(kind, at);
        return kind == Month
            ? string.Create(CultureInfo.InvariantCulture, $"{Month}:{from:yyyy-MM}")
            : string.Create(CultureInfo.InvariantCulture, $"{Week}:{ISOWeek.GetYear(from.UtcDateTime)}-W{ISOWeek.GetWeekOfYear(from.UtcDateTime):D2}");
    }

    /// <summary>The period before the one holding <paramref name="at"/>, for a car's trend.</summary>
    public static DateTimeOffset Previous(string kind, DateTimeOffset at) => Bounds(kind, at).From.AddTicks(-1);

    /// <summary>Parses a key back into its kind and bounds; false for anything that is not one.</summary>
    public static bool TryParseKey(string key, out string kind, out DateTimeOffset from, out DateTimeOffset to)
    {
        kind = string.Empty;
        from = to = default;
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return false;
        }

        kind = key[..colon];
        var rest = key[(colon + 1)..];
        if (kind == Month && DateTime.TryParseExact(rest, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var month))
        {
            (from, to) = Bounds(Month, new DateTimeOffset(month.Year, month.Month, 1, 0, 0, 0, TimeSpan.Zero));
            return true;
        }

        if (kind == Week && rest.Length == 8 && rest[4] == '-' && rest[5] == 'W'
            && int.TryParse(rest.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            && int.TryParse(rest.AsSpan(6, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var week)
            && week is >= 1 and <= 53 && year is >= 1 and <= 9998)
        {
            var monday = ISOWeek.ToDateTime(year, week, DayOfWeek.Monday);
            from = new DateTimeOffset(monday, TimeSpan.Zero);
            to = from.AddDays(7);
            return true;
        }

        return false;
    }
}
