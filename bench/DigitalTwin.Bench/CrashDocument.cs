using System.Buffers;
using System.Text.Json;

namespace DigitalTwin.Bench;

/// <summary>
/// The documents of a crashing car: ordinary samples (driving, driver seat occupied, airbag not deployed), then the
/// crash sample, in which the driver's airbag turns deployed. The airbag alone triggers the detector: the crash
/// sample's deceleration stays below the impact threshold, so no speed drop has to confirm anything first.
/// </summary>
public static class CrashDocument
{
    public const string AirbagSignal = "Vehicle.Cabin.Seat.Row1.Pos1.Airbag.IsDeployed";
    public const string DriverSeatSignal = "Vehicle.Cabin.Seat.Row1.Pos1.IsOccupied";

    public static byte[] Ordinary(int carNumber, long ts, long seq) =>
        Write(carNumber, ts, seq, speed: 48.5 + (carNumber % 30), acceleration: -0.3, airbag: false);

    public static byte[] Crash(int carNumber, long ts, long seq) =>
        Write(carNumber, ts, seq, speed: 7.5, acceleration: -6.5, airbag: true);

    private static byte[] Write(int carNumber, long ts, long seq, double speed, double acceleration, bool airbag)
    {
        var buffer = new ArrayBufferWriter<byte>(320);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("ts", ts);
            json.WriteNumber("seq", seq);
            json.WriteStartObject("signals");
            json.WriteNumber("Vehicle.Speed", speed);
            json.WriteNumber("Vehicle.CurrentLocation.Latitude", Math.Round(48.1 + ((carNumber % 1000) * 0.000137), 6));
            json.WriteNumber("Vehicle.CurrentLocation.Longitude", Math.Round(11.5 + ((carNumber % 997) * 0.000211), 6));
            json.WriteNumber("Vehicle.Acceleration.Longitudinal", acceleration);
            json.WriteBoolean(DriverSeatSignal, true);
            json.WriteBoolean(AirbagSignal, airbag);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
