using DigitalTwin.Contract.Telemetry;

namespace DigitalTwin.Grains.Insights;

/// <summary>
/// What insights read from one telemetry document, picked out in a single pass over its signals; null where the
/// document did not carry the signal.
/// </summary>
public readonly record struct InsightSample
{
    public long Ts { get; init; }
    public double? Speed { get; init; }
    public double? Latitude { get; init; }
    public double? Longitude { get; init; }
    public double? Odometer { get; init; }
    public double? Longitudinal { get; init; }
    public double? Lateral { get; init; }
    public double? Vertical { get; init; }
    public double? StateOfCharge { get; init; }
    public double? NetCapacity { get; init; }
    public double? Consumption { get; init; }
    public double? ChargeLimit { get; init; }
    public bool? IsCharging { get; init; }
    public bool? CableConnected { get; init; }
    public string? Ignition { get; init; }
    public bool? LaneDepartureWarning { get; init; }
    public bool? ObstacleWarning { get; init; }
    public bool? EbaEngaged { get; init; }
    public bool? AbsEngaged { get; init; }

    public bool HasPosition => Latitude is not null && Longitude is not null;

    public static InsightSample From(TelemetryMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);

        // Locals, then one struct: a `with` per signal copied the whole (large) struct for every signal of the document.
        double? speed = null, latitude = null, longitude = null, odometer = null, longitudinal = null, lateral = null, vertical = null;
        double? soc = null, capacity = null, consumption = null, limit = null;
        bool? charging = null, cable = null, lane = null, obstacle = null, eba = null, abs = null;
        string? ignition = null;
        foreach (var (name, value) in message.Signals)
        {
            // Only the names insights read; a document of other signals costs one failed switch per signal.
            switch (name)
            {
                case SignalCatalogue.Speed: speed = value.Number; break;
                case SignalCatalogue.Latitude: latitude = value.Number; break;
                case SignalCatalogue.Longitude: longitude = value.Number; break;
                case SignalCatalogue.TraveledDistance: odometer = value.Number; break;
                case SignalCatalogue.AccelerationLongitudinal: longitudinal = value.Number; break;
                case SignalCatalogue.AccelerationLateral: lateral = value.Number; break;
                case SignalCatalogue.AccelerationVertical: vertical = value.Number; break;
                case SignalCatalogue.StateOfCharge: soc = value.Number; break;
                case SignalCatalogue.NetCapacity: capacity = value.Number; break;
                case SignalCatalogue.InstantConsumption: consumption = value.Number; break;
                case SignalCatalogue.ChargeLimit: limit = value.Number; break;
                case SignalCatalogue.IsCharging: charging = value.AsBoolean; break;
                case SignalCatalogue.IsChargingCableConnected: cable = value.AsBoolean; break;
                case SignalCatalogue.LowVoltageSystemState: ignition = value.Text; break;
                case SignalCatalogue.LaneDepartureWarning: lane = value.AsBoolean; break;
                case SignalCatalogue.ObstacleWarning: obstacle = value.AsBoolean; break;
                case SignalCatalogue.EbaEngaged: eba = value.AsBoolean; break;
                case SignalCatalogue.AbsEngaged: abs = value.AsBoolean; break;
            }
        }

        return new InsightSample
        {
            Ts = message.Ts,
            Speed = speed,
            Latitude = latitude,
            Longitude = longitude,
            Odometer = odometer,
            Longitudinal = longitudinal,
            Lateral = lateral,
            Vertical = vertical,
            StateOfCharge = soc,
            NetCapacity = capacity,
            Consumption = consumption,
            ChargeLimit = limit,
            IsCharging = charging,
            CableConnected = cable,
            Ignition = ignition,
            LaneDepartureWarning = lane,
            ObstacleWarning = obstacle,
            EbaEngaged = eba,
            AbsEngaged = abs,
        };
    }
}
