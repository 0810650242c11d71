namespace DigitalTwin.Grains.Abstractions.Road;

/// <summary>What a twin tells the road cell its car is in: where, how fast, which way, and what happened there.</summary>
/// <param name="At">The domain clock of the twin when it fed the cell; cells reason on one clock, not the cars' own.</param>
/// <param name="Heading">Degrees from north; null when neither the car nor its last two positions tell.</param>
/// <param name="SpeedKmh">Null when the car never reported a speed.</param>
[GenerateSerializer, Immutable, Alias("dt.RoadObservation")]
public sealed record RoadObservation(
    [property: Id(0)] string Vin,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] double Latitude,
    [property: Id(3)] double Longitude,
    [property: Id(4)] double? Heading,
    [property: Id(5)] double? SpeedKmh,
    [property: Id(6)] RoadIncident Incident);
