using Orleans.Concurrency;

namespace DigitalTwin.Grains.Abstractions.Road;

/// <summary>
/// One road cell, keyed by its geohash (precision 6): aggregates what the twins of the cars in it report, confirms and
/// expires hazards, keeps traffic per direction and tells approaching cars about hazards ahead.
/// </summary>
[Alias("dt.IRoadCellGrain")]
public interface IRoadCellGrain : IGrainWithStringKey
{
    /// <summary>One-way: the twin never waits for the road on its ingest path.</summary>
    [OneWay, Alias("Observe")]
    Task Observe(RoadObservation observation);

    /// <summary>A neighbouring cell's active hazards (all of them, replacing the last list), so cars approaching across the border hear of them.</summary>
    [OneWay, Alias("NeighbourHazards")]
    Task NeighbourHazards(string cell, RoadHazard[] hazards);

    [Alias("GetHazards")]
    ValueTask<RoadHazard[]> GetHazards();

    [Alias("GetTraffic")]
    ValueTask<TrafficSummary[]> GetTraffic();
}

/// <summary>
/// A region (geohash precision 4, about 39 x 20 km) that keeps what its cells publish, so a <c>bbox</c> query reads a few
/// regions instead of waking every cell in the box.
/// </summary>
[Alias("dt.IRoadRegionGrain")]
public interface IRoadRegionGrain : IGrainWithStringKey
{
    [OneWay, Alias("PublishHazards")]
    Task PublishHazards(string cell, RoadHazard[] hazards);

    [OneWay, Alias("PublishTraffic")]
    Task PublishTraffic(string cell, TrafficSummary[] traffic);

    [Alias("Hazards")]
    ValueTask<RoadHazard[]> Hazards(GeoBox box);

    [Alias("Traffic")]
    ValueTask<TrafficSummary[]> Traffic(GeoBox box);
}
