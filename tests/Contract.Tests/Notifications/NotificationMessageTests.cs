using System.Text.Json;
using DigitalTwin.Contract.Notifications;

namespace DigitalTwin.Contract.Tests.Notifications;

public sealed class NotificationMessageTests
{
    private const string Vin = "WDD2030461A123456";

    [Fact]
    public void A_notification_is_written_as_the_contract_document_on_the_cars_notifications_topic()
    {
        var ts = DateTimeOffset.FromUnixTimeMilliseconds(1764028800123);
        var message = new NotificationMessage(Vin, "hazard-u33db2-1", NotificationTypes.Hazard, ts, ts.AddMinutes(10), """{"kind":"hardBraking","distanceM":850}""");

        using var document = JsonDocument.Parse(message.ToPayload());
        var root = document.RootElement;

        Assert.Equal("vehicles/WDD2030461A123456/notifications", message.Topic);
        Assert.Equal("hazard-u33db2-1", root.GetProperty("id").GetString());
        Assert.Equal("hazard", root.GetProperty("type").GetString());
        Assert.Equal(1764028800123, root.GetProperty("ts").GetInt64());
        Assert.Equal(1764028800123 + 600_000, root.GetProperty("expiresAt").GetInt64());
        Assert.Equal(850, root.GetProperty("data").GetProperty("distanceM").GetInt32());
        Assert.Equal(5, root.EnumerateObject().Count());
    }

    [Fact]
    public void Text_in_a_notification_is_escaped_so_the_document_stays_json()
    {
        var message = new NotificationMessage(Vin, "id\"with\\quotes", NotificationTypes.EcoTip, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, "{}");

        using var document = JsonDocument.Parse(message.ToPayload());

        Assert.Equal("id\"with\\quotes", document.RootElement.GetProperty("id").GetString());
    }
}
