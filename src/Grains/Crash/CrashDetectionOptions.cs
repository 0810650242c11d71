using System.ComponentModel.DataAnnotations;

namespace DigitalTwin.Grains.Crash;

/// <summary>Thresholds of <see cref="CrashDetector"/>.</summary>
public sealed class CrashDetectionOptions
{
    public const string SectionName = "Crash";

    /// <summary>
    /// |Longitudinal| or |lateral| acceleration, in m/s^2, from which a sample is an impact candidate. Default 39
    /// (about 4 g): emergency braking stays near 1 g and hard cornering below 1.5 g, while crash pulses reach 20 g and more.
    /// </summary>
    [Range(5.0, 1000.0, ErrorMessage = "Crash:ImpactAccelerationMps2 must be between 5 and 1000")]
    public double ImpactAccelerationMps2 { get; set; } = 39.0;

    /// <summary>
    /// Speed, in km/h, the car must have been above just before the peak. Default 15: knocks to a parked or
    /// creeping car (a door, a shopping trolley, a parking bump) are not emergencies.
    /// </summary>
    [Range(0.0, 200.0, ErrorMessage = "Crash:MovingSpeedKmh must be between 0 and 200")]
    public double MovingSpeedKmh { get; set; } = 15.0;

    /// <summary>
    /// Speed, in km/h, the car must fall below after the peak. Default 5: a car that drives on after a jolt
    /// (a pothole, a kerb) was not stopped by an impact.
    /// </summary>
    [Range(0.0, 50.0, ErrorMessage = "Crash:StandstillSpeedKmh must be between 0 and 50")]
    public double StandstillSpeedKmh { get; set; } = 5.0;

    /// <summary>
    /// How far before and after the peak the speed drop is looked for. Default 3 s: an impact stops a car within
    /// a fraction of a second, and speed is often reported at only 1-10 Hz.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:30", ErrorMessage = "Crash:SpeedDropWindow must be between 100 ms and 30 s")]
    public TimeSpan SpeedDropWindow { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How long after an incident's first trigger further triggers update that incident instead of raising a new
    /// one. Default 60 s: an airbag, a deceleration and an SOS press of one crash must not become three alerts.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "Crash:IncidentWindow must be between 1 s and 1 hour")]
    public TimeSpan IncidentWindow { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Delta-v, in km/h, from which a crash is at least severe. Default 25, where injury risk starts to climb.</summary>
    [Range(1.0, 300.0, ErrorMessage = "Crash:SevereDeltaVKmh must be between 1 and 300")]
    public double SevereDeltaVKmh { get; set; } = 25.0;

    /// <summary>Delta-v, in km/h, from which a crash is critical. Default 50, where serious injury becomes likely.</summary>
    [Range(1.0, 300.0, ErrorMessage = "Crash:CriticalDeltaVKmh must be between 1 and 300")]
    public double CriticalDeltaVKmh { get; set; } = 50.0;
}
