using System.ComponentModel.DataAnnotations;

namespace DigitalTwin.Grains.Insights;

/// <summary>When a trip starts and ends (<see cref="TripTracker"/>); every duration is measured on the car's sample times.</summary>
public sealed class TripOptions
{
    public const string SectionName = "Trips";

    /// <summary>A standstill this long ends the trip (the contract's rule). Default 3 minutes: longer than a red light.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "02:00:00", ErrorMessage = "Trips:EndAfterStandstill must be between 10 s and 2 hours")]
    public TimeSpan EndAfterStandstill { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// No sample at all for this long ends the trip at its last sample even if the car was moving then (a car that lost
    /// its connection and came back hours later did not drive all that time). Default 15 minutes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00", ErrorMessage = "Trips:EndAfterDataGap must be between 1 minute and 1 day")]
    public TimeSpan EndAfterDataGap { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Speed, in km/h, from which the car moves (a trip starts or goes on). Default 5: walking pace and creeping in a car park do not count.</summary>
    [Range(0.5, 50.0, ErrorMessage = "Trips:MovingSpeedKmh must be between 0.5 and 50")]
    public double MovingSpeedKmh { get; set; } = 5;

    /// <summary>
    /// For a car that sends no speed: how far, in metres, it must be from where it stood before it counts as moving, and
    /// the smallest step between two positions that counts towards a GPS distance while slow. Default 50 m: a parked
    /// car's fix wanders by 5-30 m (consumer GNSS accuracy, worse between buildings).
    /// </summary>
    [Range(5.0, 1000.0, ErrorMessage = "Trips:GpsJitterMeters must be between 5 and 1000")]
    public double GpsJitterMeters { get; set; } = 50;

    /// <summary>A step between two fixes faster than this, in km/h, is a GPS glitch and not counted. Default 300.</summary>
    [Range(50.0, 1000.0, ErrorMessage = "Trips:MaxPlausibleSpeedKmh must be between 50 and 1000")]
    public double MaxPlausibleSpeedKmh { get; set; } = 300;

    /// <summary>A trip shorter than this, in km, is not kept (moving a car across a car park). Default 0.2.</summary>
    [Range(0.0, 100.0, ErrorMessage = "Trips:MinDistanceKm must be between 0 and 100")]
    public double MinDistanceKm { get; set; } = 0.2;

    /// <summary>
    /// How often, in car time, an open trip or charging session is written down so that a silo restart resumes it.
    /// Default 1 minute: a crash of the silo loses at most that much of the maxima and events (the distance and energy
    /// come from counters and survive).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00", ErrorMessage = "Trips:CheckpointInterval must be between 5 s and 1 hour")]
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>At most this many behaviour events are kept per trip (the counts go on). Default 100.</summary>
    [Range(0, 10_000, ErrorMessage = "Trips:MaxEventsPerTrip must be between 0 and 10000")]
    public int MaxEventsPerTrip { get; set; } = 100;
}
