using DigitalTwin.Contract;
using DigitalTwin.Grains.Abstractions.Road;

namespace DigitalTwin.Views;

/// <param name="Type">hardBraking, absEngaged, emergencyBraking, obstacle, hazardLights or crash: the gravest kind its cars reported.</param>
/// <param name="Heading">The direction of travel it concerns, degrees from north; null when unknown.</param>
/// <param name="Confirmations">Distinct cars that reported it.</param>
public sealed record HazardDto(
    string Id,
    string Type,
    double Latitude,
    double Longitude,
    double? Heading,
    int Confirmations,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    DateTimeOffset ExpiresAt)
{
    public static HazardDto From(RoadHazard h) => new(
        h.Id, WireName.Of(h.Kind), Math.Round(h.Latitude, 6), Math.Round(h.Longitude, 6), h.Heading is { } d ? Math.Round(d, 1) : null,
        h.Confirmations, h.FirstSeen, h.LastSeen, h.ExpiresAt);
}

/// <param name="Cell">The road cell's geohash (precision 6); <paramref name="Latitude"/> and <paramref name="Longitude"/> are its centre.</param>
/// <param name="Direction">north, east, south, west or unknown: the quarter of the compass its cars travel in.</param>
/// <param name="FreeFlowLearned">False while the cell has too little history and uses Traffic:DefaultFreeFlowKmh.</param>
/// <param name="Congestion">free, slow, congested, jammed or unknown (too few samples).</param>
public sealed record TrafficDto(
    string Cell,
    string Direction,
    double Latitude,
    double Longitude,
    double MeanSpeedKmh,
    int Samples,
    double FreeFlowKmh,
    bool FreeFlowLearned,
    string Congestion,
    DateTimeOffset At)
{
    public static TrafficDto From(TrafficSummary t) => new(
        t.Cell, WireName.Of(t.Direction), Math.Round(t.Latitude, 6), Math.Round(t.Longitude, 6), t.MeanSpeedKmh, t.Samples,
        t.FreeFlowKmh, t.FreeFlowLearned, WireName.Of(t.Level), t.At);
}

public sealed record HazardListDto(IReadOnlyList<HazardDto> Items);

public sealed record TrafficListDto(IReadOnlyList<TrafficDto> Items);
