using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Views;

namespace DigitalTwin.Api.Fleet;

/// <summary>What a fleet map needs of one car: where it is, whether it moves, whether it crashed. The whole twin stays on its own route.</summary>
/// <param name="PositionTs">The car's sample time of its latitude, Unix epoch milliseconds.</param>
public sealed record FleetVehicleDto(
    string Vin,
    bool Online,
    DateTimeOffset? LastSeenAt,
    long Version,
    double? Latitude,
    double? Longitude,
    double? Heading,
    double? SpeedKmh,
    long? PositionTs,
    CrashDto Crash)
{
    public static FleetVehicleDto From(TwinSnapshot twin)
    {
        var latitude = Number(twin, SignalCatalogue.Latitude, out var positionTs);
        var longitude = Number(twin, SignalCatalogue.Longitude, out _);
        return new FleetVehicleDto(
            twin.Vin,
            twin.Online,
            twin.LastSeenAt,
            twin.Version,
            latitude,
            longitude,
            Number(twin, SignalCatalogue.Heading, out _),
            Number(twin, SignalCatalogue.Speed, out _),
            latitude is null ? null : positionTs,
            CrashDto.From(twin.Crash));
    }

    private static double? Number(TwinSnapshot twin, string signal, out long ts)
    {
        if (twin.Signals.TryGetValue(signal, out var reading) && reading.Value.Kind == SignalKind.Number)
        {
            ts = reading.Ts;
            return reading.Value.Number;
        }

        ts = 0;
        return null;
    }
}
