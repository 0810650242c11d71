namespace DigitalTwin.Grains.Abstractions.Road;

/// <summary>A bounding box in degrees, <c>minLon,minLat,maxLon,maxLat</c> as the contract's <c>bbox</c> spells it.</summary>
[GenerateSerializer, Immutable, Alias("dt.GeoBox")]
public readonly record struct GeoBox(
    [property: Id(0)] double MinLon,
    [property: Id(1)] double MinLat,
    [property: Id(2)] double MaxLon,
    [property: Id(3)] double MaxLat)
{
    public bool Contains(double latitude, double longitude) =>
        latitude >= MinLat && latitude <= MaxLat && longitude >= MinLon && longitude <= MaxLon;

    public bool Intersects(GeoBox other) =>
        other.MinLat <= MaxLat && other.MaxLat >= MinLat && other.MinLon <= MaxLon && other.MaxLon >= MinLon;
}
