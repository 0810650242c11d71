using System.Buffers;
using System.Text.Json;

namespace DigitalTwin.Simulator;

/// <summary>
/// Writes the telemetry document of the contract (<c>{"ts", "seq", "signals": {...}}</c>) for one car.
/// One instance per car: the buffer is reused, so the returned bytes are valid until the next call.
/// </summary>
public sealed class TelemetryWriter
{
    // Pre-encoded once: every car writes every name several times a second.
    private static readonly JsonEncodedText Ts = JsonEncodedText.Encode("ts");
    private static readonly JsonEncodedText Seq = JsonEncodedText.Encode("seq");
    private static readonly JsonEncodedText Signals = JsonEncodedText.Encode("signals");
    private static readonly JsonEncodedText Speed = JsonEncodedText.Encode("Vehicle.Speed");
    private static readonly JsonEncodedText Latitude = JsonEncodedText.Encode("Vehicle.CurrentLocation.Latitude");
    private static readonly JsonEncodedText Longitude = JsonEncodedText.Encode("Vehicle.CurrentLocation.Longitude");
    private static readonly JsonEncodedText Heading = JsonEncodedText.Encode("Vehicle.CurrentLocation.Heading");
    private static readonly JsonEncodedText Longitudinal = JsonEncodedText.Encode("Vehicle.Acceleration.Longitudinal");
    private static readonly JsonEncodedText Lateral = JsonEncodedText.Encode("Vehicle.Acceleration.Lateral");
    private static readonly JsonEncodedText Vertical = JsonEncodedText.Encode("Vehicle.Acceleration.Vertical");
    private static readonly JsonEncodedText StateOfCharge = JsonEncodedText.Encode("Vehicle.Powertrain.TractionBattery.StateOfCharge.Current");
    private static readonly JsonEncodedText IsCharging = JsonEncodedText.Encode("Vehicle.Powertrain.TractionBattery.Charging.IsCharging");
    private static readonly JsonEncodedText IsChargingCableConnected = JsonEncodedText.Encode("Vehicle.Powertrain.TractionBattery.Charging.IsChargingCableConnected");
    private static readonly JsonEncodedText TraveledDistance = JsonEncodedText.Encode("Vehicle.TraveledDistance");
    private static readonly JsonEncodedText ExteriorTemperature = JsonEncodedText.Encode("Vehicle.Exterior.AirTemperature");
    private static readonly JsonEncodedText CabinTemperature = JsonEncodedText.Encode("Vehicle.Cabin.HVAC.AmbientAirTemperature");
    private static readonly JsonEncodedText DriverSeatOccupied = JsonEncodedText.Encode("Vehicle.Cabin.Seat.Row1.Pos1.IsOccupied");

    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _json;

    public TelemetryWriter()
    {
        _json = new Utf8JsonWriter(_buffer);
    }

    public ReadOnlyMemory<byte> Write(long timestampMs, long seq, CarModel car)
    {
        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);

        _json.WriteStartObject();
        _json.WriteNumber(Ts, timestampMs);
        _json.WriteNumber(Seq, seq);
        _json.WriteStartObject(Signals);

        // Rounded to what a real ECU would report; full doubles would only add bytes.
        _json.WriteNumber(Speed, Math.Round(car.SpeedKmh, 1));
        _json.WriteNumber(Latitude, Math.Round(car.Latitude, 6));
        _json.WriteNumber(Longitude, Math.Round(car.Longitude, 6));
        _json.WriteNumber(Heading, RoundHeading(car.Heading));
        _json.WriteNumber(Longitudinal, Math.Round(car.LongitudinalAcceleration, 2));
        _json.WriteNumber(Lateral, Math.Round(car.LateralAcceleration, 2));
        _json.WriteNumber(Vertical, Math.Round(car.VerticalAcceleration, 2));
        _json.WriteNumber(StateOfCharge, Math.Round(car.StateOfCharge, 2));
        _json.WriteBoolean(IsCharging, car.IsCharging);
        _json.WriteBoolean(IsChargingCableConnected, car.IsChargingCableConnected);
        _json.WriteNumber(TraveledDistance, Math.Round(car.TraveledDistanceKm, 3));
        _json.WriteNumber(ExteriorTemperature, Math.Round(car.ExteriorTemperature, 1));
        _json.WriteNumber(CabinTemperature, Math.Round(car.CabinTemperature, 1));
        _json.WriteBoolean(DriverSeatOccupied, car.IsDriverSeatOccupied);

        _json.WriteEndObject();
        _json.WriteEndObject();
        _json.Flush();
        return _buffer.WrittenMemory;
    }

    // 359.996 would round up to 360, which is the same direction as 0.
    private static double RoundHeading(double heading)
    {
        var rounded = Math.Round(heading, 2);
        return rounded >= 360 ? 0 : rounded;
    }
}
