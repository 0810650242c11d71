using System.Text.Json;
using DigitalTwin.Contract.Notifications;
using DigitalTwin.Grains.Abstractions.Vehicles;

namespace DigitalTwin.Grains.Tests.Vehicles;

[Collection(ClusterCollection.Name)]
public sealed class VehicleGrainNotificationTests(ClusterFixture fixture)
{
    private static int _next;

    private static string NewVin() => $"WDD2030461N{Interlocked.Increment(ref _next):D6}";

    private static NotificationMessage Hazard(string vin, string id, TimeSpan validFor) =>
        new(vin, id, NotificationTypes.Hazard, ClusterFixture.Clock.GetUtcNow(), ClusterFixture.Clock.GetUtcNow() + validFor, """{"kind":"hardBraking"}""");

    [Fact]
    public async Task A_notification_reaches_the_listening_car_once_per_id_and_shows_on_its_stream()
    {
        var vin = NewVin();
        var gateway = new RecordingCarLink();
        var link = fixture.Cluster.Client.CreateObjectReference<ICarLink>(gateway);
        var grain = fixture.Grains.GetGrain<IVehicleGrain>(vin);
        await grain.ConnectionOpened("s1", DateTimeOffset.UtcNow);
        await grain.CommandChannelOpened("s1", link);

        Assert.True(await grain.Notify(Hazard(vin, "hazard-1", TimeSpan.FromMinutes(5))));
        Assert.False(await grain.Notify(Hazard(vin, "hazard-1", TimeSpan.FromMinutes(5))));
        Assert.True(await grain.Notify(Hazard(vin, "hazard-2", TimeSpan.FromMinutes(5))));
        await Poll.UntilAsync(() => gateway.Delivered.Count >= 2, TimeSpan.FromSeconds(10));

        var sent = gateway.Delivered.OfType<NotificationMessage>().Select(n => n.Id).ToList();
        Assert.Equal(["hazard-1", "hazard-2"], sent);
        using var payload = JsonDocument.Parse(gateway.Delivered.First().ToPayload());
        Assert.Equal("hardBraking", payload.RootElement.GetProperty("data").GetProperty("kind").GetString());

        var events = await grain.Watch(null);
        Assert.Equal(["hazard-1", "hazard-2"], events.OfType<NotificationSent>().Select(e => e.Notification.Id));
        GC.KeepAlive(gateway);
    }

    [Fact]
    public async Task An_expired_notification_or_one_for_another_car_is_not_sent()
    {
        var vin = NewVin();
        var grain = fixture.Grains.GetGrain<IVehicleGrain>(vin);

        Assert.False(await grain.Notify(Hazard(vin, "late", TimeSpan.FromSeconds(-1))));
        Assert.False(await grain.Notify(Hazard(NewVin(), "elsewhere", TimeSpan.FromMinutes(5))));
        Assert.Empty((await grain.Watch(null)).OfType<NotificationSent>());
    }

    [Fact]
    public async Task A_notification_for_a_car_that_is_away_waits_until_it_listens()
    {
        var vin = NewVin();
        var grain = fixture.Grains.GetGrain<IVehicleGrain>(vin);
        Assert.True(await grain.Notify(Hazard(vin, "while-away", TimeSpan.FromMinutes(5))));

        var gateway = new RecordingCarLink();
        var link = fixture.Cluster.Client.CreateObjectReference<ICarLink>(gateway);
        await grain.ConnectionOpened("s1", DateTimeOffset.UtcNow);
        await grain.CommandChannelOpened("s1", link);
        await Poll.UntilAsync(() => !gateway.Delivered.IsEmpty, TimeSpan.FromSeconds(10));

        Assert.Equal("while-away", Assert.IsType<NotificationMessage>(Assert.Single(gateway.Delivered)).Id);
        GC.KeepAlive(gateway);
    }
}
