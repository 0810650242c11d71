using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.FleetQuery;

namespace DigitalTwin.Views;

/// <summary>A vehicle a fleet query matched, as the index knew it (at most one flush interval old).</summary>
/// <param name="Signals">The values of the signals the filter named, and the position when a bbox was given.</param>
public sealed record FleetVehicleDto(string Vin, string OwnerId, bool Online, DateTimeOffset? LastSeenAt, IReadOnlyDictionary<string, object> Signals)
{
    public static FleetVehicleDto From(FleetIndexEntry entry, string ownerId, IEnumerable<string> shownSignals)
    {
        var signals = new SortedDictionary<string, object>(StringComparer.Ordinal);
        foreach (var name in shownSignals)
        {
            if (entry.Signals.TryGetValue(name, out var reading))
            {
                signals[name] = reading.Value.ToObject();
            }
        }

        return new FleetVehicleDto(entry.Vin, ownerId, entry.Online, entry.LastSeenAt, signals);
    }

    public static IEnumerable<string> Position => [SignalCatalogue.Latitude, SignalCatalogue.Longitude];
}

/// <param name="Next">Pass as <c>after</c> (with the same filter) to get the next page; null on the last page.</param>
public sealed record FleetPageDto(IReadOnlyList<FleetVehicleDto> Items, string? Next);
