namespace DigitalTwin.Grains.Abstractions.Road;

/// <summary>An active, confirmed hazard of one road cell. It names no car: only how many confirmed it.</summary>
/// <param name="Id">Stable for the hazard's life: the id of the notification cars get about it.</param>
/// <param name="Cell">The geohash (precision 6) of the cell that keeps it.</param>
/// <param name="Heading">The direction of travel it concerns, degrees from north; null when its cars reported none.</param>
/// <param name="Confirmations">Distinct cars that reported it.</param>
/// <param name="ExpiresAt">When it ends unless another car reports it; cars passing without incident end it sooner.</param>
[GenerateSerializer, Immutable, Alias("dt.RoadHazard")]
public sealed record RoadHazard(
    [property: Id(0)] string Id,
    [property: Id(1)] string Cell,
    [property: Id(2)] RoadIncident Kind,
    [property: Id(3)] double Latitude,
    [property: Id(4)] double Longitude,
    [property: Id(5)] double? Heading,
    [property: Id(6)] int Confirmations,
    [property: Id(7)] DateTimeOffset FirstSeen,
    [property: Id(8)] DateTimeOffset LastSeen,
    [property: Id(9)] DateTimeOffset ExpiresAt);
