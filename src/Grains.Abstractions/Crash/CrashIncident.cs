namespace DigitalTwin.Grains.Abstractions.Crash;

/// <summary>
/// One crash as the backend understands it, carrying the eCall-style minimum set of data the twin holds.
/// </summary>
/// <param name="OccurredAt">Car time of the first trigger (for a deceleration, the first sample of the peak). Never moves, so it identifies the incident.</param>
/// <param name="UpdatedAt">Car time of the latest trigger that changed the incident.</param>
/// <param name="Trigger">The trigger that raised the incident.</param>
/// <param name="Triggers">Every trigger seen within the incident's window.</param>
/// <param name="Position">Last known position, or null when the car never reported latitude and longitude.</param>
/// <param name="Occupants">Seats reported occupied, or null when the car never reported seat occupancy.</param>
/// <param name="SpeedBeforeKmh">Highest speed in the speed-drop window before the trigger; null when none was reported.</param>
/// <param name="DeltaVKmh">Estimated speed change of the impact; null when no deceleration evidence exists.</param>
/// <param name="PeakAccelerationMps2">Largest |longitudinal| or |lateral| acceleration of the impact, if any.</param>
/// <param name="Revision">1 when raised, one more per update, so a consumer can drop an older copy it receives late.</param>
[GenerateSerializer, Immutable, Alias("dt.CrashIncident")]
public sealed record CrashIncident(
    [property: Id(0)] DateTimeOffset OccurredAt,
    [property: Id(1)] DateTimeOffset UpdatedAt,
    [property: Id(2)] CrashSeverity Severity,
    [property: Id(3)] CrashTrigger Trigger,
    [property: Id(4)] CrashTrigger Triggers,
    [property: Id(5)] CrashPosition? Position,
    [property: Id(6)] int? Occupants,
    [property: Id(7)] double? SpeedBeforeKmh,
    [property: Id(8)] double? DeltaVKmh,
    [property: Id(9)] double? PeakAccelerationMps2,
    [property: Id(10)] int Revision);
