using System.Buffers;
using System.Text.Json;
using DigitalTwin.Contract.Telemetry;

namespace DigitalTwin.Contract.Events;

/// <summary>
/// Parses an event document (<c>{"ts", "seq", "type", "data"}</c>). Events are rare next to telemetry,
/// so a DOM is affordable here and keeps <c>data</c> exactly as the car sent it.
/// </summary>
public static class EventParser
{
    public const int MaxTypeLength = 64;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16 };

    public static ParseResult<VehicleEvent> Parse(
        ReadOnlySequence<byte> payload,
        DateTimeOffset receivedAt,
        int maxPayloadBytes = TelemetryParser.DefaultMaxPayloadBytes)
    {
        if (payload.Length > maxPayloadBytes)
        {
            return Fail(RejectReason.PayloadTooLarge, $"payload has {payload.Length} bytes, the limit is {maxPayloadBytes}");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload, DocumentOptions);
        }
        catch (JsonException ex)
        {
            return Fail(RejectReason.MalformedJson, $"not valid JSON: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Fail(RejectReason.InvalidDocument, "an event document is a JSON object");
            }

            if (!root.TryGetProperty("ts", out var tsElement) || !tsElement.TryGetInt64(out var ts) || ts <= 0)
            {
                return Fail(RejectReason.InvalidDocument, "'ts' must be a positive integer (Unix epoch milliseconds)");
            }

            if (!root.TryGetProperty("seq", out var seqElement) || !seqElement.TryGetInt64(out var seq) || seq < 0)
            {
                return Fail(RejectReason.InvalidDocument, "'seq' must be a non-negative integer");
            }

            if (!root.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
            {
                return Fail(RejectReason.InvalidDocument, "'type' must be a string such as \"AirbagDeployed\"");
            }

            var type = typeElement.GetString()!;
            if (!IsWellFormedType(type))
            {
                return Fail(RejectReason.InvalidDocument, $"'type' is 1..{MaxTypeLength} letters and digits, starting with a letter");
            }

            var data = "{}";
            if (root.TryGetProperty("data", out var dataElement))
            {
                if (dataElement.ValueKind != JsonValueKind.Object)
                {
                    return Fail(RejectReason.InvalidDocument, "'data' must be an object");
                }

                data = dataElement.GetRawText();
            }

            return ParseResult<VehicleEvent>.Success(new VehicleEvent(ts, seq, type, data, receivedAt));
        }
    }

    private static bool IsWellFormedType(string type) =>
        type.Length is > 0 and <= MaxTypeLength
        && char.IsAsciiLetter(type[0])
        && type.All(char.IsAsciiLetterOrDigit);

    private static ParseResult<VehicleEvent> Fail(string reason, string detail) => ParseResult<VehicleEvent>.Failure(reason, detail);
}
