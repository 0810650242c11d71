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
        var sample = new InsightSample { Ts = message.Ts };
        foreach (var (name, value) in message.Signals)
        {
            // Only the names insights read; a document of other signals costs one failed switch per signal.
            sample = name switch
            {
                SignalCatalogue.Speed => sample with { Speed = value.Number },
                SignalCatalogue.Latitude => sample with { Latitude = value.Number },
                SignalCatalogue.Longitude => sample with { Longitude = value.Number },
                SignalCatalogue.TraveledDistance => sample with { Odometer = value.Number },
                SignalCatalogue.AccelerationLongitudinal => sample with { Longitudinal = value.Number },
                SignalCatalogue.AccelerationLateral => sample with { Lateral = value.Number },
                SignalCatalogue.AccelerationVertical => sample with { Vertical = value.Number },
                SignalCatalogue.StateOfCharge => sample with { StateOfCharge = value.Number },
                SignalCatalogue.NetCapacity => sample with { NetCapacity = value.Number },
                SignalCatalogue.InstantConsumption => sample with { Consumption = value.Number },
                SignalCatalogue.ChargeLimit => sample with { ChargeLimit = value.Number },
                SignalCatalogue.IsCharging => sample with { IsCharging = value.AsBoolean },
                SignalCatalogue.IsChargingCableConnected => sample with { CableConnected = value.AsBoolean },
                SignalCatalogue.LowVoltageSystemState => sample with { Ignition = value.Text },
                SignalCatalogue.LaneDepartureWarning => sample with { LaneDepartureWarning = value.AsBoolean },
                SignalCatalogue.ObstacleWarning => sample with { ObstacleWarning = value.AsBoolean },
                SignalCatalogue.EbaEngaged => sample with { EbaEngaged = value.AsBoolean },
                SignalCatalogue.AbsEngaged => sample with { AbsEngaged = value.AsBoolean },
                _ => sample,
            };
        }

        return sample;
    }
}
