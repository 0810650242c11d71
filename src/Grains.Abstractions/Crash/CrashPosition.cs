namespace DigitalTwin.Grains.Abstractions.Crash;

/// <summary>The car's last known position when an incident was raised.</summary>
/// <param name="Heading">Degrees from north; null when the car never reported one.</param>
/// <param name="FixAge">
/// How old the fix was at the incident time: rescuers must know whether the car may have moved since.
/// Zero when the fix is newer than the incident (the car reported its position after the impact).
/// </param>
[GenerateSerializer, Immutable, Alias("dt.CrashPosition")]
public sealed record CrashPosition(
    [property: Id(0)] double Latitude,
    [property: Id(1)] double Longitude,
    [property: Id(2)] double? Heading,
    [property: Id(3)] TimeSpan FixAge);
