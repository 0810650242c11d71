using System.Buffers;
using System.Text.Json;

namespace DigitalTwin.Grains.Telemetry;

/// <summary>Parses <c>{"online": true|false}</c>, the status document and the car's Last Will.</summary>
public static class StatusParser
{
    public const int MaxPayloadBytes = 1024;

    /// <returns>Null on success (with <paramref name="online"/> set), otherwise a (reason, detail) pair.</returns>
    public static (string Reason, string Detail)? TryParse(ReadOnlySequence<byte> payload, out bool online)
    {
        online = false;
        if (payload.Length > MaxPayloadBytes)
        {
            return (RejectReason.PayloadTooLarge, $"a status document is at most {MaxPayloadBytes} bytes");
        }

        try
        {
            var reader = new Utf8JsonReader(payload);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return (RejectReason.InvalidDocument, "a status document is a JSON object");
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
                    return (RejectReason.InvalidDocument, "'online' must be true or false");
                }
                else
                {
                    reader.Skip();
                }
            }

            if (reader.Read())
            {
                return (RejectReason.MalformedJson, "content after the end of the document");
            }

            if (value is null)
            {
                return (RejectReason.InvalidDocument, "'online' is missing");
            }

            online = value.Value;
            return null;
        }
        catch (JsonException ex)
        {
            return (RejectReason.MalformedJson, $"not valid JSON: {ex.Message}");
        }
    }
}
