using DigitalTwin.Contract.Telemetry;

namespace DigitalTwin.Grains.Tests.Crash;

/// <summary>Short ways to write the signal samples of a trace.</summary>
internal static class Sig
{
    public static SignalSample Num(string name, double value) => new(name, SignalValue.FromNumber(value));

    public static SignalSample Bool(string name, bool value) => new(name, SignalValue.FromBoolean(value));

    public static SignalSample Speed(double kmh) => Num(SignalCatalogue.Speed, kmh);

    public static SignalSample Airbag(int row, int pos, bool deployed) =>
        Bool(SignalCatalogue.SeatSignal(row, pos, "Airbag.IsDeployed"), deployed);

    public static SignalSample Occupied(int row, int pos, bool occupied) =>
        Bool(SignalCatalogue.SeatSignal(row, pos, "IsOccupied"), occupied);

    public static SignalSample[] Position(double latitude, double longitude, double heading) =>
    [
        Num(SignalCatalogue.Latitude, latitude),
        Num(SignalCatalogue.Longitude, longitude),
        Num(SignalCatalogue.Heading, heading),
    ];
}
