using System.Buffers;
using System.Text.Json;

namespace DigitalTwin.Contract.Status;

/// <summary>Parses <c>{"online": true|false}</c>, the status document and the car's Last Will.</summary>
public static class StatusParser
{
    public const int MaxPayloadBytes = 1024;

    public static ParseResult<StatusDocument> Parse(ReadOnlySequence<byte> payload)
    {
        if (payload.Length > MaxPayloadBytes)
        {
            return Fail(RejectReason.PayloadTooLarge, $"a status document is at most {MaxPayloadBytes} bytes");
        }

        try
        {
            var reader = new Utf8JsonReader(payload);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return Fail(RejectReason.InvalidDocument, "a status document is a JSON object");
            }

            bool? value = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isOnline = reader.ValueTextEquals("online"u8);
                reader.Read();
                if (isOnline && reader.TokenType is JsonTokenType.True or JsonTokenType.False)
                {
                    value = reader.GetBoolean();
                }
                else if (isOnline)
                {
                    return Fail(RejectReason.InvalidDocument, "'online' must be true or false");
                }
                else
                {
                    reader.Skip();
                }
            }

            if (reader.Read())
            {
                return Fail(RejectReason.MalformedJson, "content after the end of the document");
            }

            if (value is null)
            {
                return Fail(RejectReason.InvalidDocument, "'online' is missing");
            }

            return ParseResult<StatusDocument>.Success(new StatusDocument(value.Value));
        }
        catch (JsonException ex)
        {
            return Fail(RejectReason.MalformedJson, $"not valid JSON: {ex.Message}");
        }
    }

    private static ParseResult<StatusDocument> Fail(string reason, string detail) => ParseResult<StatusDocument>.Failure(reason, detail);
}
