using System.Buffers;
using System.Text.Json;

namespace DigitalTwin.Grains.Commands;

/// <summary>
/// The contract's command document on <c>vehicles/{vin}/commands</c>, <c>{"id", "name", "params", "expiresAt"}</c>:
/// one writer for queued commands and the <c>emergency.ack</c>, so a car parses both alike.
/// </summary>
public static class CommandDocument
{
    /// <param name="writeParams">Writes the <c>params</c> value (an object) at the writer's position.</param>
    public static byte[] Write(Guid id, string name, Action<Utf8JsonWriter> writeParams, DateTimeOffset expiresAt)
    {
        ArgumentNullException.ThrowIfNull(writeParams);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", id);
            json.WriteString("name", name);
            json.WritePropertyName("params");
            writeParams(json);
            json.WriteNumber("expiresAt", expiresAt.ToUnixTimeMilliseconds());
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
