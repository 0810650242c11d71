using System.Buffers;
using System.Text.Json;
using DigitalTwin.Contract.Topics;

namespace DigitalTwin.Contract.Notifications;

/// <summary>
/// The contract's notification document on <c>vehicles/{vin}/notifications</c>,
/// <c>{"id", "type", "ts", "expiresAt", "data"}</c>: road hazards and traffic ahead, driving feedback. One writer for
/// every kind, so a car parses them alike; <c>ts</c> and <c>expiresAt</c> are epoch milliseconds like the car's own.
/// </summary>
/// <param name="Id">
/// Stable for one piece of news (a hazard, a feedback episode): the twin sends an id once, so a producer that
/// tells the same car twice is harmless.
/// </param>
/// <param name="Type">One of <see cref="NotificationTypes"/>.</param>
/// <param name="DataJson">The <c>data</c> object as JSON text, written as it is.</param>
[GenerateSerializer, Immutable, Alias("dt.NotificationMessage")]
public sealed record NotificationMessage(
    [property: Id(0)] string Vin,
    [property: Id(1)] string Id,
    [property: Id(2)] string Type,
    [property: Id(3)] DateTimeOffset Ts,
    [property: Id(4)] DateTimeOffset ExpiresAt,
    [property: Id(5)] string DataJson) : CarMessage
{
    public override string Topic => VehicleTopic.Of(Vin, VehicleTopicKind.Notifications);

    public override byte[] ToPayload()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", Id);
            json.WriteString("type", Type);
            json.WriteNumber("ts", Ts.ToUnixTimeMilliseconds());
            json.WriteNumber("expiresAt", ExpiresAt.ToUnixTimeMilliseconds());
            json.WritePropertyName("data");
            json.WriteRawValue(DataJson);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
