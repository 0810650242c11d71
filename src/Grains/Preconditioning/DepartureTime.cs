using System.Globalization;

namespace DigitalTwin.Grains.Preconditioning;

/// <summary>How a departure time compares with now and the horizon.</summary>
public enum DepartureCheck
{
    Valid,

    /// <summary>At or before now.</summary>
    NotInFuture,

    /// <summary>Further ahead than the horizon allows.</summary>
    TooFarAhead,
}

/// <summary>
/// The one rule for a departure time, shared by the REST plan (<c>departureAt</c>) and the <c>hvac.precondition</c>
/// command (<c>params.departureAt</c>): ISO 8601 with an explicit offset or Z, in the future, at most
/// <see cref="Commands.CommandPolicyOptions.MaxDepartureAhead"/> ahead. Each caller words its own answer.
/// </summary>
public static class DepartureTime
{
    // The shortest (yyyy-MM-ddTHH:mmZ) and more than the longest (seven fraction digits and an offset) accepted form.
    private const int MinLength = 17;
    private const int MaxLength = 40;

    private static readonly string[] Formats =
    [
        "yyyy-MM-dd'T'HH:mmzzz",
        "yyyy-MM-dd'T'HH:mm:sszzz",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz",
    ];

    /// <summary>
    /// ISO 8601 with an explicit offset or Z only: a local time without one would be read in the server's zone, which
    /// is never the driver's.
    /// </summary>
    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        if (text is null || text.Length is < MinLength or > MaxLength)
        {
            return false;
        }

        var withOffset = text[^1] is 'Z' or 'z' ? string.Concat(text.AsSpan(0, text.Length - 1), "+00:00") : text;
        return DateTimeOffset.TryParseExact(withOffset, Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }

    /// <summary>Whether <paramref name="departure"/> lies after <paramref name="now"/> and at most <paramref name="maxAhead"/> later.</summary>
    public static DepartureCheck Check(DateTimeOffset departure, DateTimeOffset now, TimeSpan maxAhead) =>
        departure <= now ? DepartureCheck.NotInFuture
        : departure - now > maxAhead ? DepartureCheck.TooFarAhead
        : DepartureCheck.Valid;
}
