using DigitalTwin.Contract.Telemetry;

namespace DigitalTwin.Bench;

/// <summary>
/// The documents of a crashing car: ordinary samples (driving, driver seat occupied, airbag not deployed), then the
/// crash sample, in which the driver's airbag turns deployed. The airbag alone triggers the detector: the crash
/// sample's deceleration stays below the impact threshold, so no speed drop has to confirm anything first.
/// </summary>
public static class CrashDocument
{
    public static readonly string AirbagSignal = SignalCatalogue.SeatSignal(1, 1, "Airbag.IsDeployed");
    public static readonly string DriverSeatSignal = SignalCatalogue.SeatSignal(1, 1, "IsOccupied");

    public static byte[] Ordinary(int carNumber, long ts, long seq) =>
        Write(carNumber, ts, seq, speed: 48.5 + (carNumber % 30), acceleration: -0.3, airbag: false);

    public static byte[] Crash(int carNumber, long ts, long seq) =>
        Write(carNumber, ts, seq, speed: 7.5, acceleration: -6.5, airbag: true);

    private static byte[] Write(int carNumber, long ts, long seq, double speed, double acceleration, bool airbag) =>
        TelemetryDocument.Write(ts, seq, (carNumber, speed, acceleration, airbag), static (json, car) =>
        {
            json.WriteNumber(SignalCatalogue.Speed, car.speed);
            json.WriteNumber(SignalCatalogue.Latitude, Math.Round(48.1 + ((car.carNumber % 1000) * 0.000137), 6));
            json.WriteNumber(SignalCatalogue.Longitude, Math.Round(11.5 + ((car.carNumber % 997) * 0.000211), 6));
            json.WriteNumber(SignalCatalogue.AccelerationLongitudinal, car.acceleration);
            json.WriteBoolean(DriverSeatSignal, true);
            json.WriteBoolean(AirbagSignal, car.airbag);
        });
}
