using System.Buffers;
using System.Text.Json;
using DigitalTwin.Contract.Topics;

namespace DigitalTwin.Contract.Commands;

/// <summary>
/// The contract's command document on <c>vehicles/{vin}/commands</c>, <c>{"id", "name", "params", "expiresAt"}</c>:
/// one writer for queued commands and the <c>emergency.ack</c>, so a car parses both alike.
/// </summary>
/// <param name="ParamsJson">The <c>params</c> object as JSON text, written as it is.</param>
[GenerateSerializer, Immutable, Alias("dt.CommandMessage")]
public sealed record CommandMessage(
    [property: Id(0)] string Vin,
    [property: Id(1)] Guid Id,
    [property: Id(2)] string Name,
    [property: Id(3)] string ParamsJson,
    [property: Id(4)] DateTimeOffset ExpiresAt) : CarMessage
{
    public override string Topic => VehicleTopic.Of(Vin, VehicleTopicKind.Commands);

    public override byte[] ToPayload()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", Id);
            json.WriteString("name", Name);
            json.WritePropertyName("params");
            json.WriteRawValue(ParamsJson);
            json.WriteNumber("expiresAt", ExpiresAt.ToUnixTimeMilliseconds());
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
