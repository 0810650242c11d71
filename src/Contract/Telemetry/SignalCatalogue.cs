using System.Collections.Frozen;

namespace DigitalTwin.Contract.Telemetry;

/// <summary>
/// The VSS 4.0 signals the backend reasons about, with their types and physical ranges
/// (contract, section 2). Any other well-formed <c>Vehicle.*</c> path is kept as sent.
/// </summary>
public static class SignalCatalogue
{
    public const string Speed = "Vehicle.Speed";
    public const string TraveledDistance = "Vehicle.TraveledDistance";
    public const string Latitude = "Vehicle.CurrentLocation.Latitude";
    public const string Longitude = "Vehicle.CurrentLocation.Longitude";
    public const string Heading = "Vehicle.CurrentLocation.Heading";
    public const string AccelerationLongitudinal = "Vehicle.Acceleration.Longitudinal";
    public const string AccelerationLateral = "Vehicle.Acceleration.Lateral";
    public const string AccelerationVertical = "Vehicle.Acceleration.Vertical";
    public const string LaneDepartureWarning = "Vehicle.ADAS.LaneDepartureDetection.IsWarning";
    public const string ObstacleWarning = "Vehicle.ADAS.ObstacleDetection.IsWarning";
    public const string EbaEngaged = "Vehicle.ADAS.EBA.IsEngaged";
    public const string AbsEngaged = "Vehicle.ADAS.ABS.IsEngaged";
    public const string StateOfCharge = "Vehicle.Powertrain.TractionBattery.StateOfCharge.Current";
    public const string IsCharging = "Vehicle.Powertrain.TractionBattery.Charging.IsCharging";
    public const string IsChargingCableConnected = "Vehicle.Powertrain.TractionBattery.Charging.IsChargingCableConnected";
    public const string ChargeLimit = "Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit";
    public const string InstantConsumption = "Vehicle.Powertrain.FuelSystem.InstantConsumption";
    public const string ExteriorAirTemperature = "Vehicle.Exterior.AirTemperature";
    public const string CabinAirTemperature = "Vehicle.Cabin.HVAC.AmbientAirTemperature";
    public const string LowVoltageSystemState = "Vehicle.LowVoltageSystemState";
    public const string NetCapacity = "Vehicle.Powertrain.TractionBattery.NetCapacity";

    /// <summary>Longest accepted signal path; VSS paths in practice stay under 100 characters.</summary>
    public const int MaxNameLength = 200;

    /// <summary>Longest accepted string value of a signal.</summary>
    public const int MaxTextLength = 256;

    private const int MaxSeatRows = 9;
    private const int MaxSeatPositions = 9;

    private static readonly FrozenDictionary<string, SignalSpec> Known = BuildKnown();

    private static readonly FrozenDictionary<string, SignalSpec>.AlternateLookup<ReadOnlySpan<char>> KnownBySpan =
        Known.GetAlternateLookup<ReadOnlySpan<char>>();

    public static IEnumerable<SignalSpec> All => Known.Values;

    public static bool TryGet(string name, out SignalSpec spec) => Known.TryGetValue(name, out spec!);

    /// <summary>Looks a name up without allocating a string for it.</summary>
    public static bool TryGet(ReadOnlySpan<char> name, out SignalSpec spec) => KnownBySpan.TryGetValue(name, out spec!);

    /// <summary>
    /// A well-formed VSS path: <c>Vehicle</c> followed by dot-separated segments that start with a letter
    /// and hold letters, digits and underscores.
    /// </summary>
    public static bool IsWellFormedName(ReadOnlySpan<char> name)
    {
        if (name.Length is < 9 or > MaxNameLength || !name.StartsWith("Vehicle."))
        {
            return false;
        }

        var segmentStart = true;
        foreach (var c in name)
        {
            if (c == '.')
            {
                if (segmentStart)
                {
                    return false;
                }

                segmentStart = true;
                continue;
            }

            var ok = segmentStart ? char.IsAsciiLetter(c) : char.IsAsciiLetterOrDigit(c) || c == '_';
            if (!ok)
            {
                return false;
            }

            segmentStart = false;
        }

        return !segmentStart;
    }

    private static FrozenDictionary<string, SignalSpec> BuildKnown()
    {
        var specs = new List<SignalSpec>
        {
            new(Speed, SignalKind.Number, -100, 500, Unit: "km/h"),
            new(TraveledDistance, SignalKind.Number, 0, 10_000_000, Unit: "km"),
            new(Latitude, SignalKind.Number, -90, 90, Unit: "degrees"),
            new(Longitude, SignalKind.Number, -180, 180, Unit: "degrees"),
            new(Heading, SignalKind.Number, 0, 360, Unit: "degrees"),
            // Crash pulses can exceed 50 g; 1,000 m/s^2 (about 100 g) bounds what a sensor can report.
            new(AccelerationLongitudinal, SignalKind.Number, -1000, 1000, Unit: "m/s^2"),
            new(AccelerationLateral, SignalKind.Number, -1000, 1000, Unit: "m/s^2"),
            new(AccelerationVertical, SignalKind.Number, -1000, 1000, Unit: "m/s^2"),
            new(LaneDepartureWarning, SignalKind.Boolean),
            new(ObstacleWarning, SignalKind.Boolean),
            new(EbaEngaged, SignalKind.Boolean),
            new(AbsEngaged, SignalKind.Boolean),
            new(StateOfCharge, SignalKind.Number, 0, 100, Unit: "percent"),
            new(IsCharging, SignalKind.Boolean),
            new(IsChargingCableConnected, SignalKind.Boolean),
            new(ChargeLimit, SignalKind.Number, 0, 100, IsInteger: true, Unit: "percent"),
            new(InstantConsumption, SignalKind.Number, 0, 1000, Unit: "l/100km"),
            new(ExteriorAirTemperature, SignalKind.Number, -80, 100, Unit: "celsius"),
            new(CabinAirTemperature, SignalKind.Number, -80, 120, Unit: "celsius"),
            // Ignition: UNDEFINED, LOCK, OFF, ACC, ON, START; a trip ends when it becomes OFF.
            new(LowVoltageSystemState, SignalKind.Text),
            new(NetCapacity, SignalKind.Number, 0, 65_535, IsInteger: true, Unit: "kWh"),
        };

        for (var row = 1; row <= MaxSeatRows; row++)
        {
            for (var pos = 1; pos <= MaxSeatPositions; pos++)
            {
                specs.Add(new(SeatSignal(row, pos, "Airbag.IsDeployed"), SignalKind.Boolean));
                specs.Add(new(SeatSignal(row, pos, "IsOccupied"), SignalKind.Boolean));
            }
        }

        return specs.ToFrozenDictionary(s => s.Name, StringComparer.Ordinal);
    }

    public static string SeatSignal(int row, int pos, string leaf) => $"Vehicle.Cabin.Seat.Row{row}.Pos{pos}.{leaf}";

    public static bool IsAirbagDeployedSignal(string name) =>
        name.StartsWith("Vehicle.Cabin.Seat.Row", StringComparison.Ordinal) && name.EndsWith(".Airbag.IsDeployed", StringComparison.Ordinal);

    public static bool IsSeatOccupiedSignal(string name) =>
        name.StartsWith("Vehicle.Cabin.Seat.Row", StringComparison.Ordinal) && name.EndsWith(".IsOccupied", StringComparison.Ordinal);
}
