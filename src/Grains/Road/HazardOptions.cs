using System.ComponentModel.DataAnnotations;

namespace DigitalTwin.Grains.Road;

/// <summary>Thresholds of hazard confirmation, expiry and notification (<c>Hazards:*</c>); docs/road.md gives their sources.</summary>
public sealed class HazardOptions
{
    public const string SectionName = "Hazards";

    /// <summary>Distinct cars that must report a hazard within <see cref="ConfirmationWindow"/> before it is raised. Contract default 2.</summary>
    [Range(1, 100, ErrorMessage = "Hazards:MinConfirmations must be between 1 and 100")]
    public int MinConfirmations { get; set; } = 2;

    /// <summary>How long reports count towards a confirmation, and how long a cell remembers which cars reported. Contract default 10 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "06:00:00", ErrorMessage = "Hazards:ConfirmationWindow must be between 10 s and 6 hours")]
    public TimeSpan ConfirmationWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Reports this close to each other (metres) are the same hazard. Default 150: a GPS fix is good to 5-10 m, a braking car covers 30-80 m.</summary>
    [Range(10.0, 2000.0, ErrorMessage = "Hazards:MatchRadiusMeters must be between 10 and 2000")]
    public double MatchRadiusMeters { get; set; } = 150;

    /// <summary>Headings within this many degrees are the same direction of travel. Default 45: a bend, not the opposite carriageway.</summary>
    [Range(5.0, 180.0, ErrorMessage = "Hazards:HeadingToleranceDegrees must be between 5 and 180")]
    public double HeadingToleranceDegrees { get; set; } = 45;

    /// <summary>An active hazard ends this long after its last report. Default 30 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:30", "1.00:00:00", ErrorMessage = "Hazards:Ttl must be between 30 s and 1 day")]
    public TimeSpan Ttl { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Distinct cars that pass a hazard at <see cref="PassingSpeedKmh"/> or more without incident, after its last report, to end it. Default 3.</summary>
    [Range(1, 100, ErrorMessage = "Hazards:ClearPasses must be between 1 and 100")]
    public int ClearPasses { get; set; } = 3;

    /// <summary>A car slower than this past a hazard does not clear it (it may be crawling past a crash). Default 30 km/h.</summary>
    [Range(0.0, 200.0, ErrorMessage = "Hazards:PassingSpeedKmh must be between 0 and 200")]
    public double PassingSpeedKmh { get; set; } = 30;

    /// <summary>Cars this close (metres) behind a hazard, in its direction, are told. Default 2000.</summary>
    [Range(50.0, 20000.0, ErrorMessage = "Hazards:NotifyDistanceMeters must be between 50 and 20000")]
    public double NotifyDistanceMeters { get; set; } = 2000;

    /// <summary>...and that reach it within this time at their speed. Default 3 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00", ErrorMessage = "Hazards:NotifyHorizon must be between 5 s and 1 hour")]
    public TimeSpan NotifyHorizon { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Longitudinal deceleration (m/s^2, positive) from which a sample is hard braking. Default 4 (about 0.4 g).</summary>
    [Range(1.0, 15.0, ErrorMessage = "Hazards:HardBrakingMps2 must be between 1 and 15")]
    public double HardBrakingMps2 { get; set; } = 4.0;
}
