using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace DigitalTwin.Contract.Telemetry;

/// <summary>
/// Writes the contract's telemetry document, <c>{"ts": ..., "seq": ..., "signals": {...}}</c>, the one
/// <see cref="TelemetryParser"/> reads. Cars that send changing values write the signals each time; load generators
/// that resend the same signals serialize them once (<see cref="SignalsObject"/>) and stamp <c>ts</c> and <c>seq</c>.
/// </summary>
public static class TelemetryDocument
{
    public static readonly JsonEncodedText Ts = JsonEncodedText.Encode("ts");
    public static readonly JsonEncodedText Seq = JsonEncodedText.Encode("seq");
    public static readonly JsonEncodedText Signals = JsonEncodedText.Encode("signals");

    private static readonly byte[] Head = "{\"ts\":"u8.ToArray();
    private static readonly byte[] SeqName = ",\"seq\":"u8.ToArray();
    private static readonly byte[] SignalsName = ",\"signals\":"u8.ToArray();

    /// <summary>
    /// The longest framing around a signals object: the names and punctuation (25 bytes) and two numbers of up to 20
    /// characters each (<see cref="long.MinValue"/>).
    /// </summary>
    public const int FramingBytes = 65;

    /// <summary>Writes one document: <paramref name="writeSignals"/> writes the members of the <c>signals</c> object.</summary>
    public static void Write<TState>(Utf8JsonWriter json, long ts, long seq, TState state, Action<Utf8JsonWriter, TState> writeSignals)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(writeSignals);
        json.WriteStartObject();
        json.WriteNumber(Ts, ts);
        json.WriteNumber(Seq, seq);
        json.WriteStartObject(Signals);
        writeSignals(json, state);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>One document as bytes.</summary>
    public static byte[] Write<TState>(long ts, long seq, TState state, Action<Utf8JsonWriter, TState> writeSignals)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            Write(json, ts, seq, state, writeSignals);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A <c>signals</c> object, serialized once, for <see cref="Write(Span{byte}, long, long, ReadOnlySpan{byte})"/>.</summary>
    public static byte[] SignalsObject<TState>(TState state, Action<Utf8JsonWriter, TState> writeSignals)
    {
        ArgumentNullException.ThrowIfNull(writeSignals);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            writeSignals(json, state);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Writes a document around a signals object made by <see cref="SignalsObject"/>, without a JSON writer: the cost
    /// per message is two numbers and a copy. <paramref name="destination"/> needs the object's length plus
    /// <see cref="FramingBytes"/>.
    /// </summary>
    /// <returns>The document's length in bytes.</returns>
    public static int Write(Span<byte> destination, long ts, long seq, ReadOnlySpan<byte> signalsObject)
    {
        Head.CopyTo(destination);
        var at = Head.Length;
        if (!Utf8Formatter.TryFormat(ts, destination[at..], out var written))
        {
            throw new ArgumentException("the destination is too small for the document", nameof(destination));
        }

        at += written;
        SeqName.CopyTo(destination[at..]);
        at += SeqName.Length;
        if (!Utf8Formatter.TryFormat(seq, destination[at..], out written))
        {
            throw new ArgumentException("the destination is too small for the document", nameof(destination));
        }

        at += written;
        SignalsName.CopyTo(destination[at..]);
        at += SignalsName.Length;
        signalsObject.CopyTo(destination[at..]);
        destination[at + signalsObject.Length] = (byte)'}';
        return at + signalsObject.Length + 1;
    }
}
