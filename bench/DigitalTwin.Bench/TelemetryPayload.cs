using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace DigitalTwin.Bench;

/// <summary>
/// One car's telemetry document in the contract's shape (the contract's own example: speed, position and
/// longitudinal acceleration). The signals part is serialized once per car; a message only writes its
/// <c>ts</c> and <c>seq</c> around it, so the generator spends its CPU on MQTT and not on JSON.
/// </summary>
public sealed class TelemetryPayload
{
    public const int MaxLength = 256;

    private static readonly byte[] Head = "{\"ts\":"u8.ToArray();
    private static readonly byte[] SeqName = ",\"seq\":"u8.ToArray();

    private readonly byte[] _tail;

    public TelemetryPayload(int carNumber)
    {
        // Values differ per car so that no layer can get away with caching one document.
        var speed = 30 + (carNumber % 100) + 0.5;
        var latitude = 52.52 + (carNumber % 1000) * 0.000137;
        var longitude = 13.405 + (carNumber % 997) * 0.000211;
        var acceleration = -0.4 + (carNumber % 9) * 0.1;
        var tail = string.Create(CultureInfo.InvariantCulture,
            $",\"signals\":{{\"Vehicle.Speed\":{speed:0.0},\"Vehicle.CurrentLocation.Latitude\":{latitude:0.000000},\"Vehicle.CurrentLocation.Longitude\":{longitude:0.000000},\"Vehicle.Acceleration.Longitudinal\":{acceleration:0.0}}}}}");
        _tail = Encoding.UTF8.GetBytes(tail);
        if (Head.Length + SeqName.Length + _tail.Length + 40 > MaxLength)
        {
            throw new InvalidOperationException("the telemetry document outgrew its buffer");
        }
    }

    /// <summary>Writes the document for one message; returns its length in bytes.</summary>
    public int Write(Span<byte> destination, long ts, long seq)
    {
        Head.CopyTo(destination);
        var at = Head.Length;
        Utf8Formatter.TryFormat(ts, destination[at..], out var written);
        at += written;
        SeqName.CopyTo(destination[at..]);
        at += SeqName.Length;
        Utf8Formatter.TryFormat(seq, destination[at..], out written);
        at += written;
        _tail.CopyTo(destination[at..]);
        return at + _tail.Length;
    }
}
