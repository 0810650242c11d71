using System.Buffers;
using System.Text.Json;

namespace DigitalTwin.Contract.Telemetry;

/// <summary>
/// Parses and validates a telemetry document straight from the MQTT payload, without building a DOM.
/// A document with a bad shape is refused whole; a known signal with the wrong type or out of its
/// physical range is dropped with a reason while the document's other signals still count, so one
/// faulty sensor cannot hide a car's position or a crash pulse.
/// </summary>
public static class TelemetryParser
{
    public const int DefaultMaxPayloadBytes = 64 * 1024;
    public const int MaxSignals = 512;

    private const int MaxRetainedSamples = 256;

    [ThreadStatic]
    private static List<SignalSample>? t_samples;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 16 };

    public static ParseResult<TelemetryMessage> Parse(
        ReadOnlySequence<byte> payload,
        DateTimeOffset receivedAt,
        int maxPayloadBytes = DefaultMaxPayloadBytes)
    {
        if (payload.Length > maxPayloadBytes)
        {
            return Fail(RejectReason.PayloadTooLarge, $"payload has {payload.Length} bytes, the limit is {maxPayloadBytes}");
        }

        try
        {
            return ParseDocument(payload, receivedAt);
        }
        catch (JsonException ex)
        {
            return Fail(RejectReason.MalformedJson, $"not valid JSON: {ex.Message}");
        }
    }

    public static ParseResult<TelemetryMessage> Parse(ReadOnlySpan<byte> payload, DateTimeOffset receivedAt) =>
        Parse(new ReadOnlySequence<byte>(payload.ToArray()), receivedAt);

    private static ParseResult<TelemetryMessage> ParseDocument(ReadOnlySequence<byte> payload, DateTimeOffset receivedAt)
    {
        var reader = new Utf8JsonReader(payload, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return Fail(RejectReason.InvalidDocument, "a telemetry document is a JSON object");
        }

        long? ts = null;
        long? seq = null;
        List<SignalSample>? samples = null;
        List<SignalRejection>? rejections = null;
        var sawSignals = false;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(TelemetryDocument.Ts.EncodedUtf8Bytes))
            {
                reader.Read();
                if (!TryReadPositiveInteger(ref reader, out var value) || value == 0)
                {
                    return Fail(RejectReason.InvalidDocument, "'ts' must be a positive integer (Unix epoch milliseconds)");
                }

                ts = value;
            }
            else if (reader.ValueTextEquals(TelemetryDocument.Seq.EncodedUtf8Bytes))
            {
                reader.Read();
                if (!TryReadPositiveInteger(ref reader, out var value))
                {
                    return Fail(RejectReason.InvalidDocument, "'seq' must be a non-negative integer");
                }

                seq = value;
            }
            else if (reader.ValueTextEquals(TelemetryDocument.Signals.EncodedUtf8Bytes))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    return Fail(RejectReason.InvalidDocument, "'signals' must be an object of VSS paths to values");
                }

                sawSignals = true;
                samples ??= RentSamples();
                var error = ReadSignals(ref reader, samples, ref rejections);
                if (error is not null)
                {
                    return error.Value;
                }
            }
            else
            {
                // Unknown top-level members (a "vin" echo, a firmware version) are tolerated for forward compatibility.
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            return Fail(RejectReason.MalformedJson, "the document does not end where its object ends");
        }

        // Trailing content after the object would be a second document smuggled into one message.
        if (reader.Read())
        {
            return Fail(RejectReason.MalformedJson, "content after the end of the document");
        }

        if (ts is null)
        {
            return Fail(RejectReason.InvalidDocument, "'ts' is missing");
        }

        if (seq is null)
        {
            return Fail(RejectReason.InvalidDocument, "'seq' is missing");
        }

        if (!sawSignals)
        {
            return Fail(RejectReason.InvalidDocument, "'signals' is missing");
        }

        var message = new TelemetryMessage(ts.Value, seq.Value, samples!.ToArray(), receivedAt);
        return ParseResult<TelemetryMessage>.Success(message, rejections);
    }

    /// <summary>
    /// One scratch list per thread: the message keeps only an exact-size copy, so the list itself would be garbage after
    /// every document. Parsing is synchronous, so no other document can use the thread's list meanwhile.
    /// </summary>
    private static List<SignalSample> RentSamples()
    {
        var samples = t_samples;
        if (samples is null || samples.Capacity > MaxRetainedSamples)
        {
            // A hostile document may have grown it; such a list is not kept for the next one.
            samples = t_samples = new List<SignalSample>(16);
        }

        samples.Clear();
        return samples;
    }

    private static ParseResult<TelemetryMessage>? ReadSignals(
        ref Utf8JsonReader reader,
        List<SignalSample> samples,
        ref List<SignalRejection>? rejections)
    {
        Span<char> nameBuffer = stackalloc char[SignalCatalogue.MaxNameLength];
        var count = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (++count > MaxSignals)
            {
                return Fail(RejectReason.TooManySignals, $"a document carries at most {MaxSignals} signals");
            }

            // Names longer than the buffer are not VSS paths anyway; decoding them to a string lets the
            // rejection name them. Escaped or segment-spanning names take the same slower path.
            var nameLength = !reader.HasValueSequence && !reader.ValueIsEscaped && reader.ValueSpan.Length <= nameBuffer.Length
                ? System.Text.Encoding.UTF8.GetChars(reader.ValueSpan, nameBuffer)
                : -1;
            scoped ReadOnlySpan<char> name;
            string? escapedName = null;
            if (nameLength >= 0)
            {
                name = nameBuffer[..nameLength];
            }
            else
            {
                escapedName = reader.GetString()!;
                name = escapedName;
            }

            reader.Read();
            if (!SignalCatalogue.IsWellFormedName(name))
            {
                (rejections ??= []).Add(new(Truncate(name), RejectReason.InvalidSignalName, "not a well-formed VSS path (Vehicle.Segment.Segment...)"));
                reader.Skip();
                continue;
            }

            if (SignalCatalogue.TryGet(name, out var spec))
            {
                // The catalogue's own string instance: known names are never allocated per message.
                var rejection = ReadKnownValue(ref reader, spec, out var value);
                if (rejection is { } r)
                {
                    (rejections ??= []).Add(r);
                    continue;
                }

                samples.Add(new SignalSample(spec.Name, value));
            }
            else
            {
                var signalName = escapedName ?? new string(name);
                if (!TryReadAnyValue(ref reader, out var value, out var detail))
                {
                    (rejections ??= []).Add(new(signalName, RejectReason.WrongType, detail));
                    continue;
                }

                samples.Add(new SignalSample(signalName, value));
            }
        }

        return null;
    }

    private static SignalRejection? ReadKnownValue(ref Utf8JsonReader reader, SignalSpec spec, out SignalValue value)
    {
        value = default;
        switch (spec.Kind)
        {
            case SignalKind.Boolean:
                if (reader.TokenType is JsonTokenType.True or JsonTokenType.False)
                {
                    value = SignalValue.FromBoolean(reader.GetBoolean());
                    return null;
                }

                reader.Skip();
                return new SignalRejection(spec.Name, RejectReason.WrongType, "expected a boolean");

            case SignalKind.Number:
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out var number) || !double.IsFinite(number))
                {
                    reader.Skip();
                    return new SignalRejection(spec.Name, RejectReason.WrongType, "expected a number");
                }

                if (spec.IsInteger && number != Math.Floor(number))
                {
                    return new SignalRejection(spec.Name, RejectReason.WrongType, "expected an integer");
                }

                if (number < spec.Min || number > spec.Max)
                {
                    return new SignalRejection(spec.Name, RejectReason.OutOfRange, $"{number} is outside {spec.Min}..{spec.Max} {spec.Unit}".TrimEnd());
                }

                value = SignalValue.FromNumber(number);
                return null;

            default:
                if (reader.TokenType != JsonTokenType.String)
                {
                    reader.Skip();
                    return new SignalRejection(spec.Name, RejectReason.WrongType, "expected a string");
                }

                value = SignalValue.FromText(reader.GetString()!);
                return null;
        }
    }

    private static bool TryReadAnyValue(ref Utf8JsonReader reader, out SignalValue value, out string detail)
    {
        detail = string.Empty;
        value = default;
        switch (reader.TokenType)
        {
            case JsonTokenType.True:
            case JsonTokenType.False:
                value = SignalValue.FromBoolean(reader.GetBoolean());
                return true;
            case JsonTokenType.Number when reader.TryGetDouble(out var number) && double.IsFinite(number):
                value = SignalValue.FromNumber(number);
                return true;
            case JsonTokenType.String:
                var text = reader.GetString()!;
                if (text.Length > SignalCatalogue.MaxTextLength)
                {
                    detail = $"string values are limited to {SignalCatalogue.MaxTextLength} characters";
                    return false;
                }

                value = SignalValue.FromText(text);
                return true;
            default:
                reader.Skip();
                detail = "a signal value is a number, a boolean or a string";
                return false;
        }
    }

    private static bool TryReadPositiveInteger(ref Utf8JsonReader reader, out long value)
    {
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out value) && value >= 0;
    }

    private static string Truncate(ReadOnlySpan<char> name) =>
        name.Length <= 64 ? new string(name) : string.Concat(name[..64], "...");

    private static ParseResult<TelemetryMessage> Fail(string reason, string detail) =>
        ParseResult<TelemetryMessage>.Failure(reason, detail);
}
