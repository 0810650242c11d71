using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using DigitalTwin.Contract.Notifications;
using DigitalTwin.Grains.Abstractions.Notifications;
using DigitalTwin.Grains.Abstractions.Vehicles;
using MQTTnet;
using MQTTnet.Protocol;

namespace DigitalTwin.EndToEnd.Tests;

[Collection(SiloCollection.Name)]
public sealed class NotificationsEndToEndTests(SiloFixture silo)
{
    [Fact]
    public async Task A_notification_reaches_the_car_over_mqtt_on_its_notifications_topic_once()
    {
        var vin = Vins.Next("WDD2030461N");
        await using var car = silo.Car(vin);
        var received = new ConcurrentQueue<(string Topic, JsonElement Document)>();
        car.Mqtt.ApplicationMessageReceivedAsync += e =>
        {
            received.Enqueue((e.ApplicationMessage.Topic, JsonDocument.Parse(Encoding.UTF8.GetString(e.ApplicationMessage.Payload)).RootElement.Clone()));
            return Task.CompletedTask;
        };
        await car.ConnectAsync();
        var subscribed = await car.Mqtt.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter($"vehicles/{vin}/notifications", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter($"vehicles/{vin}/commands", MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        Assert.All(subscribed.Items, i => Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, i.ResultCode));

        var now = DateTimeOffset.UtcNow;
        var notification = new NotificationMessage(vin, "hazard-e2e-1", NotificationTypes.Hazard, now, now.AddMinutes(5), """{"kind":"hardBraking","distanceM":400}""");
        var twin = silo.Grains.GetVehicle<IVehicleNotifications>(vin);
        // The car's link reaches its twin right after the SUBACK; until then the twin holds the notification for it.
        Assert.True(await twin.Notify(notification));
        Assert.False(await twin.Notify(notification));

        await Poll.UntilAsync(() => Task.FromResult(received.Count), n => n >= 1, TimeSpan.FromSeconds(10));
        var (topic, document) = Assert.Single(received);
        Assert.Equal($"vehicles/{vin}/notifications", topic);
        Assert.Equal("hazard-e2e-1", document.GetProperty("id").GetString());
        Assert.Equal("hazard", document.GetProperty("type").GetString());
        Assert.Equal(400, document.GetProperty("data").GetProperty("distanceM").GetInt32());
    }

    [Fact]
    public async Task A_car_may_not_subscribe_to_another_cars_notifications()
    {
        await using var car = silo.Car(Vins.Next("WDD2030461N"));
        await car.ConnectAsync();

        var result = await car.Mqtt.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter($"vehicles/{Vins.Next("WDD2030461N")}/notifications").Build());

        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, Assert.Single(result.Items).ResultCode);
    }

    [Fact]
    public async Task A_car_publishing_on_its_notifications_topic_is_refused()
    {
        await using var car = silo.Car(Vins.Next("WDD2030461N"));
        await car.ConnectAsync();

        var result = await car.PublishAsync($"vehicles/{car.Vin}/notifications", """{"id":"x","type":"hazard"}""");

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, result.ReasonCode);
    }
}
