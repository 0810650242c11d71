using System.Text.Json;
using DigitalTwin.Contract.Notifications;

namespace DigitalTwin.Views;

/// <summary>A notification sent to the car, as apps see it on the car's stream: the document's fields, times as ISO-8601.</summary>
public sealed record NotificationDto(string Id, string Type, DateTimeOffset Ts, DateTimeOffset ExpiresAt, JsonElement Data)
{
    public static NotificationDto From(NotificationMessage notification) => new(
        notification.Id,
        notification.Type,
        notification.Ts,
        notification.ExpiresAt,
        JsonDocument.Parse(notification.DataJson).RootElement.Clone());
}
