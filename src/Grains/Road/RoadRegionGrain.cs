using DigitalTwin.Grains.Abstractions.Road;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Grains.Road;

/// <summary>
/// What the cells of one region (geohash 4) last published: their active hazards and traffic summaries, dropped once
/// their time is past. Queries by <c>bbox</c> read these few grains instead of waking every cell of the box.
/// </summary>
public sealed class RoadRegionGrain(
    IOptions<TrafficOptions> trafficOptions,
    [FromKeyedServices(DomainClock.Key)] TimeProvider time) : Grain, IRoadRegionGrain
{
    private readonly Dictionary<string, RoadHazard[]> _hazards = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TrafficSummary[]> _traffic = new(StringComparer.Ordinal);

    public Task PublishHazards(string cell, RoadHazard[] hazards)
    {
        Replace(_hazards, cell, hazards);
        return Task.CompletedTask;
    }

    public Task PublishTraffic(string cell, TrafficSummary[] traffic)
    {
        Replace(_traffic, cell, traffic);
        return Task.CompletedTask;
    }

    public ValueTask<RoadHazard[]> Hazards(GeoBox box)
    {
        var now = time.GetUtcNow();
        return ValueTask.FromResult(_hazards.Values.SelectMany(h => h)
            .Where(h => h.ExpiresAt > now && box.Contains(h.Latitude, h.Longitude))
            .ToArray());
    }

    public ValueTask<TrafficSummary[]> Traffic(GeoBox box)
    {
        // A cell that stopped hearing from cars stops publishing: what it said last is stale after one window.
        var since = time.GetUtcNow() - trafficOptions.Value.Window;
        return ValueTask.FromResult(_traffic
            .Where(c => Geohash.TryDecode(c.Key, out var cellBox) && box.Intersects(cellBox))
            .SelectMany(c => c.Value)
            .Where(t => t.At > since)
            .ToArray());
    }

    private static void Replace<T>(Dictionary<string, T[]> map, string cell, T[] values)
    {
        if (values.Length == 0)
        {
            map.Remove(cell);
        }
        else
        {
            map[cell] = values;
        }
    }
}
