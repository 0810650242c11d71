namespace DigitalTwin.Grains.Abstractions.Road;

/// <summary>Traffic of one cell in one direction over the cell's sliding window.</summary>
/// <param name="Latitude">The cell's centre.</param>
/// <param name="FreeFlowKmh">The cell's own free-flow speed (learned, or the default until it has history).</param>
/// <param name="FreeFlowLearned">False while the cell has too little history and uses <c>Traffic:DefaultFreeFlowKmh</c>.</param>
/// <param name="At">When the cell computed it.</param>
[GenerateSerializer, Immutable, Alias("dt.TrafficSummary")]
public sealed record TrafficSummary(
    [property: Id(0)] string Cell,
    [property: Id(1)] TravelDirection Direction,
    [property: Id(2)] double Latitude,
    [property: Id(3)] double Longitude,
    [property: Id(4)] double MeanSpeedKmh,
    [property: Id(5)] int Samples,
    [property: Id(6)] double FreeFlowKmh,
    [property: Id(7)] bool FreeFlowLearned,
    [property: Id(8)] CongestionLevel Level,
    [property: Id(9)] DateTimeOffset At);
