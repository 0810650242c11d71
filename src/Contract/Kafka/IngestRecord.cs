using System.Buffers;
using System.Text.Json;
using DigitalTwin.Contract.Topics;

namespace DigitalTwin.Contract.Kafka;

/// <summary>
/// What a record of an ingest topic (<c>Kafka:Ingest:Topics</c>) is before its document is parsed: which car, from the
/// key, and which kind of document, from its members (a telemetry document has <c>signals</c>, an event document has
/// <c>type</c>), so that one topic may carry both, as an EMQX data bridge of <c>vehicles/+/#</c> writes them.
/// </summary>
public static class IngestRecord
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 16 };
    private static readonly JsonEncodedText Signals = JsonEncodedText.Encode("signals");
    private static readonly JsonEncodedText Type = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText VinMember = JsonEncodedText.Encode("vin");

    /// <summary>The car and the document's kind, or the reason the record is refused (dead-lettered).</summary>
    /// <param name="key">The record's key: the VIN, as an EMQX bridge with key <c>${clientid}</c> writes it.</param>
    public static ParseResult<VehicleTopic> Read(string? key, ReadOnlySequence<byte> value)
    {
        if (Vin.Validate(key) is { } invalid)
        {
            return ParseResult<VehicleTopic>.Failure(RejectReason.InvalidVin, $"the record's key must be the car's VIN: {invalid}");
        }

        try
        {
            return ReadDocument(key!, value);
        }
        catch (JsonException ex)
        {
            return ParseResult<VehicleTopic>.Failure(RejectReason.MalformedJson, $"not valid JSON: {ex.Message}");
        }
    }

    private static ParseResult<VehicleTopic> ReadDocument(string vin, ReadOnlySequence<byte> value)
    {
        var reader = new Utf8JsonReader(value, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return ParseResult<VehicleTopic>.Failure(RejectReason.InvalidDocument, "a record's value is a telemetry or event document: a JSON object");
        }

        var telemetry = false;
        var vehicleEvent = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(Signals.EncodedUtf8Bytes))
            {
                telemetry = true;
            }
            else if (reader.ValueTextEquals(Type.EncodedUtf8Bytes))
            {
                vehicleEvent = true;
            }
            else if (reader.ValueTextEquals(VinMember.EncodedUtf8Bytes))
            {
                // Our own vehicle-telemetry records carry the VIN in the document; fed back in, it must match the key.
                reader.Read();
                if (reader.TokenType != JsonTokenType.String || !reader.ValueTextEquals(vin))
                {
                    return ParseResult<VehicleTopic>.Failure(RejectReason.KeyMismatch, $"the document's 'vin' is not the record's key {vin}");
                }

                continue;
            }

            reader.Read();
            reader.Skip();
        }

        return (telemetry, vehicleEvent) switch
        {
            (true, false) => ParseResult<VehicleTopic>.Success(new VehicleTopic(vin, VehicleTopicKind.Telemetry)),
            (false, true) => ParseResult<VehicleTopic>.Success(new VehicleTopic(vin, VehicleTopicKind.Events)),
            (false, false) => ParseResult<VehicleTopic>.Failure(RejectReason.InvalidDocument, "neither a telemetry document ('signals') nor an event document ('type')"),
            _ => ParseResult<VehicleTopic>.Failure(RejectReason.InvalidDocument, "both 'signals' and 'type': a record carries one telemetry or one event document"),
        };
    }
}
