using System.Text.Json;
using DigitalTwin.Contract.Telemetry;

namespace DigitalTwin.Bench;

/// <summary>
/// One car's telemetry document in the contract's shape (the contract's own example: speed, position and
/// longitudinal acceleration). The signals object is serialized once per car; a message only stamps its
/// <c>ts</c> and <c>seq</c> around it (<see cref="TelemetryDocument"/>), so the generator spends its CPU on MQTT and
/// not on JSON.
/// </summary>
public sealed class TelemetryPayload
{
    public const int MaxLength = 256;

    private readonly byte[] _signals;

    public TelemetryPayload(int carNumber)
    {
        // Values differ per car so that no layer can get away with caching one document.
        _signals = TelemetryDocument.SignalsObject(carNumber, static (json, n) =>
        {
            json.WriteNumber(SignalCatalogue.Speed, 30 + (n % 100) + 0.5);
            json.WriteNumber(SignalCatalogue.Latitude, Math.Round(52.52 + ((n % 1000) * 0.000137), 6));
            json.WriteNumber(SignalCatalogue.Longitude, Math.Round(13.405 + ((n % 997) * 0.000211), 6));
            json.WriteNumber(SignalCatalogue.AccelerationLongitudinal, Math.Round(-0.4 + ((n % 9) * 0.1), 1));
        });
        if (_signals.Length + TelemetryDocument.FramingBytes > MaxLength)
        {
            throw new InvalidOperationException("the telemetry document outgrew its buffer");
        }
    }

    /// <summary>Writes the document for one message; returns its length in bytes.</summary>
    public int Write(Span<byte> destination, long ts, long seq) => TelemetryDocument.Write(destination, ts, seq, _signals);
}
