using System.Buffers;
using System.Text.Json;

namespace DigitalTwin.Contract.Commands;

/// <summary>Parses <c>{"id": "uuid", "status": "accepted|rejected|completed|failed", "reason": "..."}</c>.</summary>
public static class CommandAckParser
{
    public const int MaxPayloadBytes = 4096;
    public const int MaxReasonLength = 256;

    public static ParseResult<CommandAck> Parse(ReadOnlySequence<byte> payload)
    {
        if (payload.Length > MaxPayloadBytes)
        {
            return ParseResult<CommandAck>.Failure(RejectReason.PayloadTooLarge, $"an ack is at most {MaxPayloadBytes} bytes");
        }

        try
        {
            var reader = new Utf8JsonReader(payload, new JsonReaderOptions { MaxDepth = 4 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return Fail("an ack is a JSON object");
            }

            Guid? id = null;
            CommandAckStatus? status = null;
            string? reason = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "id":
                        if (reader.TokenType != JsonTokenType.String || !reader.TryGetGuid(out var parsed))
                        {
                            return Fail("'id' must be the command's id (a UUID)");
                        }

                        id = parsed;
                        break;
                    case "status":
                        if (reader.TokenType != JsonTokenType.String || !WireName.TryParse(reader.GetString(), out CommandAckStatus ack))
                        {
                            return Fail("'status' must be accepted, rejected, completed or failed");
                        }

                        status = ack;
                        break;
                    case "reason":
                        if (reader.TokenType == JsonTokenType.Null)
                        {
                            break;
                        }

                        if (reader.TokenType != JsonTokenType.String)
                        {
                            return Fail("'reason' must be a string");
                        }

                        reason = reader.GetString();
                        if (reason!.Length > MaxReasonLength)
                        {
                            reason = reason[..MaxReasonLength];
                        }

                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            if (reader.Read())
            {
                return ParseResult<CommandAck>.Failure(RejectReason.MalformedJson, "content after the end of the document");
            }

            if (id is null || status is null)
            {
                return Fail(id is null ? "'id' is missing" : "'status' is missing");
            }

            return ParseResult<CommandAck>.Success(new CommandAck(id.Value, status.Value, reason));
        }
        catch (JsonException ex)
        {
            return ParseResult<CommandAck>.Failure(RejectReason.MalformedJson, $"not valid JSON: {ex.Message}");
        }
    }

    private static ParseResult<CommandAck> Fail(string detail) => ParseResult<CommandAck>.Failure(RejectReason.InvalidDocument, detail);
}
