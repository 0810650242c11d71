using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.FleetQuery;

namespace DigitalTwin.Grains.FleetQuery;

/// <summary>
/// One partition of the fleet index: the last staged state of the twins whose VIN hashes here. A query scans the
/// partition once (its entries, no twin woken) and returns at most its limit, ordered by VIN. Kept in memory: after the
/// partition's silo goes, it fills again as twins stage their next snapshot (docs/road.md).
/// </summary>
public sealed class FleetIndexGrain : Grain, IFleetIndexGrain
{
    private readonly Dictionary<string, FleetIndexEntry> _entries = new(StringComparer.Ordinal);

    public Task Upsert(FleetIndexEntry entry)
    {
        _entries[entry.Vin] = entry;
        return Task.CompletedTask;
    }

    public ValueTask<FleetIndexEntry[]> Query(FleetQuerySpec spec)
    {
        FleetFilter? filter = null;
        if (spec.Filter is not null && !FleetFilter.TryParse(spec.Filter, out filter, out var error))
        {
            throw new ArgumentException(error, nameof(spec));
        }

        IEnumerable<FleetIndexEntry> candidates = spec.Vins is { } vins
            ? vins.Select(v => _entries.GetValueOrDefault(v)).OfType<FleetIndexEntry>()
            : _entries.Values;
        var matches = new List<FleetIndexEntry>();
        foreach (var entry in candidates)
        {
            if ((spec.After is null || string.CompareOrdinal(entry.Vin, spec.After) > 0)
                && (spec.Online is not { } online || entry.Online == online)
                && (spec.Box is not { } box || InBox(entry, box))
                && (filter is null || filter.Matches(entry.Signals)))
            {
                matches.Add(entry);
            }
        }

        matches.Sort((a, b) => string.CompareOrdinal(a.Vin, b.Vin));
        return ValueTask.FromResult(matches.Take(spec.Limit).ToArray());
    }

    private static bool InBox(FleetIndexEntry entry, Abstractions.Road.GeoBox box) =>
        entry.Signals.TryGetValue(SignalCatalogue.Latitude, out var lat)
        && entry.Signals.TryGetValue(SignalCatalogue.Longitude, out var lon)
        && box.Contains(lat.Value.Number, lon.Value.Number);
}
