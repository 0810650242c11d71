using DigitalTwin.Grains.Abstractions.Road;
using DigitalTwin.Grains.Abstractions.Telemetry;
using Orleans.Concurrency;

namespace DigitalTwin.Grains.Abstractions.FleetQuery;

/// <summary>What the fleet index keeps of one twin: its last staged signals and whether the car is online.</summary>
[GenerateSerializer, Immutable, Alias("dt.FleetIndexEntry")]
public sealed record FleetIndexEntry(
    [property: Id(0)] string Vin,
    [property: Id(1)] bool Online,
    [property: Id(2)] DateTimeOffset? LastSeenAt,
    [property: Id(3)] IReadOnlyDictionary<string, SignalReading> Signals);

/// <summary>One fleet query as a partition runs it; the filter text was checked by the API and is parsed again here.</summary>
/// <param name="Vins">Only these VINs (a person's own cars); null for an operator.</param>
/// <param name="After">Only VINs that sort after this one (paging).</param>
[GenerateSerializer, Immutable, Alias("dt.FleetQuerySpec")]
public sealed record FleetQuerySpec(
    [property: Id(0)] string? Filter,
    [property: Id(1)] GeoBox? Box,
    [property: Id(2)] bool? Online,
    [property: Id(3)] string? After,
    [property: Id(4)] int Limit,
    [property: Id(5)] string[]? Vins);

/// <summary>
/// One partition of the fleet index (key 0..<c>FleetQuery:Partitions</c>-1, by a hash of the VIN): the twins keep their
/// entries here, so a fleet query asks the partitions and never wakes a twin.
/// </summary>
[Alias("dt.IFleetIndexGrain")]
public interface IFleetIndexGrain : IGrainWithIntegerKey
{
    [OneWay, Alias("Upsert")]
    Task Upsert(FleetIndexEntry entry);

    /// <summary>Matches ordered by VIN, at most <see cref="FleetQuerySpec.Limit"/>.</summary>
    [Alias("Query")]
    ValueTask<FleetIndexEntry[]> Query(FleetQuerySpec spec);
}
