using System.Buffers;
using System.Text.Json;
using DigitalTwin.Contract.Telemetry;

namespace DigitalTwin.Simulator;

/// <summary>
/// Writes one car's telemetry through the contract's <see cref="TelemetryDocument"/>: which signals a simulated car reports.
/// One instance per car: the buffer is reused, so the returned bytes are valid until the next call.
/// </summary>
public sealed class TelemetryWriter
{
    // Pre-encoded once: every car writes every name several times a second.
    private static readonly JsonEncodedText Speed = JsonEncodedText.Encode(SignalCatalogue.Speed);
    private static readonly JsonEncodedText Latitude = JsonEncodedText.Encode(SignalCatalogue.Latitude);
    private static readonly JsonEncodedText Longitude = JsonEncodedText.Encode(SignalCatalogue.Longitude);
    private static readonly JsonEncodedText Heading = JsonEncodedText.Encode(SignalCatalogue.Heading);
    private static readonly JsonEncodedText Longitudinal = JsonEncodedText.Encode(SignalCatalogue.AccelerationLongitudinal);
    private static readonly JsonEncodedText Lateral = JsonEncodedText.Encode(SignalCatalogue.AccelerationLateral);
    private static readonly JsonEncodedText Vertical = JsonEncodedText.Encode(SignalCatalogue.AccelerationVertical);
    private static readonly JsonEncodedText StateOfCharge = JsonEncodedText.Encode(SignalCatalogue.StateOfCharge);
    private static readonly JsonEncodedText IsCharging = JsonEncodedText.Encode(SignalCatalogue.IsCharging);
    private static readonly JsonEncodedText IsChargingCableConnected = JsonEncodedText.Encode(SignalCatalogue.IsChargingCableConnected);
    private static readonly JsonEncodedText TraveledDistance = JsonEncodedText.Encode(SignalCatalogue.TraveledDistance);
    private static readonly JsonEncodedText ExteriorTemperature = JsonEncodedText.Encode(SignalCatalogue.ExteriorAirTemperature);
    private static readonly JsonEncodedText CabinTemperature = JsonEncodedText.Encode(SignalCatalogue.CabinAirTemperature);
    private static readonly JsonEncodedText Ignition = JsonEncodedText.Encode(SignalCatalogue.LowVoltageSystemState);
    private static readonly JsonEncodedText NetCapacity = JsonEncodedText.Encode(SignalCatalogue.NetCapacity);
    private static readonly JsonEncodedText ChargeLimit = JsonEncodedText.Encode(SignalCatalogue.ChargeLimit);
    private static readonly JsonEncodedText DriverSeatOccupied = JsonEncodedText.Encode(SignalCatalogue.SeatSignal(1, 1, "IsOccupied"));

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

        TelemetryDocument.Write(_json, timestampMs, seq, car, WriteSignals);
        _json.Flush();
        return _buffer.WrittenMemory;
    }

    private static void WriteSignals(Utf8JsonWriter json, CarModel car)
    {
        // Rounded to what a real ECU would report; full doubles would only add bytes.
        json.WriteNumber(Speed, Math.Round(car.SpeedKmh, 1));
        json.WriteNumber(Latitude, Math.Round(car.Latitude, 6));
        json.WriteNumber(Longitude, Math.Round(car.Longitude, 6));
        json.WriteNumber(Heading, RoundHeading(car.Heading));
        json.WriteNumber(Longitudinal, Math.Round(car.LongitudinalAcceleration, 2));
        json.WriteNumber(Lateral, Math.Round(car.LateralAcceleration, 2));
        json.WriteNumber(Vertical, Math.Round(car.VerticalAcceleration, 2));
        json.WriteNumber(StateOfCharge, Math.Round(car.StateOfCharge, 2));
        json.WriteBoolean(IsCharging, car.IsCharging);
        json.WriteBoolean(IsChargingCableConnected, car.IsChargingCableConnected);
        json.WriteNumber(TraveledDistance, Math.Round(car.TraveledDistanceKm, 3));
        json.WriteNumber(ExteriorTemperature, Math.Round(car.ExteriorTemperature, 1));
        json.WriteNumber(CabinTemperature, Math.Round(car.CabinTemperature, 1));
        json.WriteBoolean(DriverSeatOccupied, car.IsDriverSeatOccupied);
        json.WriteString(Ignition, car.Ignition);
        json.WriteNumber(NetCapacity, car.NetCapacityKwh);
        json.WriteNumber(ChargeLimit, car.ChargeLimit);
    }

    // 359.996 would round up to 360, which is the same direction as 0.
    private static double RoundHeading(double heading)
    {
        var rounded = Math.Round(heading, 2);
        return rounded >= 360 ? 0 : rounded;
    }
}
