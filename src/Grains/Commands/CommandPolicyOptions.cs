using System.ComponentModel.DataAnnotations;

namespace DigitalTwin.Grains.Commands;

/// <summary>Settings of <see cref="CommandPolicy"/>.</summary>
public sealed class CommandPolicyOptions
{
    public const string SectionName = "Commands";

    /// <summary>
    /// |Speed|, in km/h, above which the car counts as moving and <c>doors.unlock</c> is refused. Default 3: above
    /// walking pace, below which speed sensors still report creep and noise while the car stands.
    /// </summary>
    [Range(0.0, 50.0, ErrorMessage = "Commands:MovingSpeedKmh must be between 0 and 50")]
    public double MovingSpeedKmh { get; set; } = 3.0;

    /// <summary>
    /// Time to live of a command whose request names none. Default 600 s (10 minutes): a remote unlock that reaches
    /// a car waking up an hour later is a surprise, not a convenience.
    /// </summary>
    [Range(CommandPolicy.MinTtlSeconds, CommandPolicy.MaxTtlSeconds, ErrorMessage = "Commands:DefaultTtlSeconds must be between 1 and 86400")]
    public int DefaultTtlSeconds { get; set; } = 600;

    /// <summary>
    /// How far ahead a <c>hvac.precondition</c> <c>departureAt</c> may lie. Default 7 days, a week's routine; anything
    /// later is more likely a wrong year or time zone than a plan.
    /// </summary>
    [Range(typeof(TimeSpan), "01:00:00", "31.00:00:00", ErrorMessage = "Commands:MaxDepartureAhead must be between 1 hour and 31 days")]
    public TimeSpan MaxDepartureAhead { get; set; } = TimeSpan.FromDays(7);
}
