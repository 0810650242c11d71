using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Telemetry;
using DigitalTwin.Grains.Abstractions.Vehicles;

namespace DigitalTwin.Persistence.Tests.Support;

public static class TestSnapshots
{
    public const long SampleTs = 1_764_028_800_123;

    public static TwinSnapshot Of(string vin, long version, double speed = 87.5) => new()
    {
        Vin = vin,
        Version = version,
        Online = true,
        LastSeenAt = new DateTimeOffset(2026, 11, 24, 10, 0, 0, 123, TimeSpan.Zero),
        LastTelemetrySeq = version * 10,
        LastEventSeq = version,
        Signals = new Dictionary<string, SignalReading>(StringComparer.Ordinal)
        {
            ["Vehicle.Speed"] = new(SignalValue.FromNumber(speed), SampleTs + version),
            ["Vehicle.Cabin.Seat.Row1.Pos1.IsOccupied"] = new(SignalValue.FromBoolean(true), SampleTs),
            ["Vehicle.VehicleIdentification.Brand"] = new(SignalValue.FromText("Mercedes-Benz"), SampleTs),
        },
    };

    public static TwinSnapshot WithSignal(this TwinSnapshot snapshot, string name, SignalValue value) => snapshot with
    {
        Signals = new Dictionary<string, SignalReading>(snapshot.Signals, StringComparer.Ordinal) { [name] = new(value, SampleTs) },
    };
}
