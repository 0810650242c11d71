using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DigitalTwin.Testing;
using MQTTnet;
using MQTTnet.Protocol;

namespace DigitalTwin.EndToEnd.Tests;

[Collection(SiloCollection.Name)]
public sealed class RoadEndToEndTests(SiloFixture silo)
{
    private static int _place;

    /// <summary>A stretch of road no other test uses: tests share one silo, and cells are shared by every car in them.</summary>
    private static (double Lat, double Lon) FreshRoad()
    {
        var n = Interlocked.Increment(ref _place);
        return (30 + (n * 0.37) + (Random.Shared.NextDouble() * 0.1), -100 + (n * 0.41) + (Random.Shared.NextDouble() * 0.1));
    }

    private static string Bbox(double lat, double lon, double margin = 0.05) =>
        string.Create(CultureInfo.InvariantCulture, $"{lon - margin},{lat - margin},{lon + margin},{lat + margin}");

    private static string Signals(double lat, double lon, double speed, double heading, double? accel = null) =>
        string.Create(CultureInfo.InvariantCulture, $$"""{"Vehicle.CurrentLocation.Latitude":{{lat}},"Vehicle.CurrentLocation.Longitude":{{lon}},"Vehicle.Speed":{{speed}},"Vehicle.CurrentLocation.Heading":{{heading}}{{(accel is { } a ? $",\"Vehicle.Acceleration.Longitudinal\":{a}" : "")}}}""");

    private async Task<CarClient> ConnectedAsync(string vin)
    {
        var car = silo.Car(vin);
        await car.ConnectAsync();
        return car;
    }

    [Fact]
    public async Task Two_cars_braking_hard_at_one_spot_raise_a_hazard_that_a_third_car_approaching_hears_over_MQTT_and_hazards_lists()
    {
        var (lat, lon) = FreshRoad();
        foreach (var vin in new[] { Vins.Next("WDD2030461H"), Vins.Next("WDD2030461H") })
        {
            await using var braking = await ConnectedAsync(vin);
            await braking.TelemetryAsync(1, Signals(lat, lon - 0.001, 70, 90));
            Assert.True((await braking.TelemetryAsync(2, Signals(lat, lon, 30, 90, accel: -7.5))).IsSuccess);
        }

        var http = silo.Http("road-reader");
        var hazards = await Poll.UntilAsync(
            () => http.GetFromJsonAsync<JsonElement>($"/api/v1/hazards?bbox={Bbox(lat, lon)}"),
            h => h.GetProperty("items").GetArrayLength() > 0);
        var hazard = Assert.Single(hazards.GetProperty("items").EnumerateArray());
        Assert.Equal("hardBraking", hazard.GetProperty("type").GetString());
        Assert.Equal(2, hazard.GetProperty("confirmations").GetInt32());
        Assert.InRange(hazard.GetProperty("latitude").GetDouble(), lat - 0.001, lat + 0.001);
        Assert.True(hazard.GetProperty("expiresAt").GetDateTimeOffset() > hazard.GetProperty("lastSeen").GetDateTimeOffset());

        // The third car listens like a real one: commands (which hands its link to the twin) and notifications.
        var third = Vins.Next("WDD2030461H");
        await using var approaching = await ConnectedAsync(third);
        var notifications = new ConcurrentQueue<JsonElement>();
        approaching.Mqtt.ApplicationMessageReceivedAsync += e =>
        {
            if (e.ApplicationMessage.Topic.EndsWith("/notifications", StringComparison.Ordinal))
            {
                notifications.Enqueue(JsonDocument.Parse(Encoding.UTF8.GetString(e.ApplicationMessage.Payload)).RootElement.Clone());
            }

            return Task.CompletedTask;
        };
        await approaching.Mqtt.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter($"vehicles/{third}/commands", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter($"vehicles/{third}/notifications", MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());

        // Eastbound towards it from ~1.2 km west, ~130 m a step: each step is a new spot, so the twin tells its cell.
        var seq = 1;
        await Poll.UntilAsync(
            async () =>
            {
                var step = Math.Min(seq, 9);
                await approaching.TelemetryAsync(seq++, Signals(lat, lon - 0.016 + (step * 0.0015), 60, 90));
                return notifications.Count;
            },
            count => count > 0,
            TimeSpan.FromSeconds(20));

        var notification = Assert.Single(notifications);
        Assert.Equal("hazard", notification.GetProperty("type").GetString());
        Assert.Equal(hazard.GetProperty("id").GetString(), notification.GetProperty("id").GetString());
        Assert.Equal("hardBraking", notification.GetProperty("data").GetProperty("kind").GetString());
        Assert.Equal(2, notification.GetProperty("data").GetProperty("confirmations").GetInt32());
        Assert.True(notification.GetProperty("data").GetProperty("distanceMeters").GetDouble() > 0);
    }

    [Fact]
    public async Task A_car_on_the_opposite_carriageway_is_not_told_about_the_hazard()
    {
        var (lat, lon) = FreshRoad();
        foreach (var vin in new[] { Vins.Next("WDD2030461H"), Vins.Next("WDD2030461H") })
        {
            await using var braking = await ConnectedAsync(vin);
            await braking.TelemetryAsync(1, Signals(lat, lon, 30, 90, accel: -8));
        }

        var http = silo.Http("road-reader");
        await Poll.UntilAsync(() => http.GetFromJsonAsync<JsonElement>($"/api/v1/hazards?bbox={Bbox(lat, lon)}"), h => h.GetProperty("items").GetArrayLength() > 0);

        // Westbound, east of the hazard: it is ahead in distance but on the other side of the road.
        var other = Vins.Next("WDD2030461H");
        await using var oncoming = await ConnectedAsync(other);
        var watcher = silo.Grains.GetGrain<DigitalTwin.Grains.Abstractions.Vehicles.IVehicleGrain>(other);
        for (var seq = 1; seq <= 5; seq++)
        {
            Assert.True((await oncoming.TelemetryAsync(seq, Signals(lat, lon + 0.01 - (seq * 0.0015), 60, 270))).IsSuccess);
        }

        // A same-direction car sent after it is told: once it is, the oncoming car's chance has passed too.
        var probe = Vins.Next("WDD2030461H");
        await using var following = await ConnectedAsync(probe);
        var probeTwin = silo.Grains.GetGrain<DigitalTwin.Grains.Abstractions.Vehicles.IVehicleGrain>(probe);
        var probeSeq = 1;
        await Poll.UntilAsync(
            async () =>
            {
                await following.TelemetryAsync(probeSeq, Signals(lat, lon - 0.01 + (Math.Min(probeSeq, 5) * 0.0015), 60, 90));
                probeSeq++;
                return (await probeTwin.Watch(null)).Any(e => e.Type == "notification");
            },
            told => told,
            TimeSpan.FromSeconds(20));

        Assert.DoesNotContain(await watcher.Watch(null), e => e.Type == "notification");
    }

    [Fact]
    public async Task A_slow_platoon_shows_as_congestion_on_traffic()
    {
        var (lat, lon) = FreshRoad();
        for (var i = 0; i < 5; i++)
        {
            await using var car = await ConnectedAsync(Vins.Next("WDD2030461T"));
            // Bumper to bumper, a few metres apart: one cell, however the random road falls on the grid.
            await car.TelemetryAsync(1, Signals(lat + (i * 0.00003), lon, 7 + i, 0));
        }

        var http = silo.Http("road-reader");
        var traffic = await Poll.UntilAsync(
            () => http.GetFromJsonAsync<JsonElement>($"/api/v1/traffic?bbox={Bbox(lat, lon)}"),
            t => t.GetProperty("items").EnumerateArray().Any(c => c.GetProperty("congestion").GetString() != "unknown"));

        // A cell publishes when a level changes, else at most every Traffic:PublishInterval: the first level is news.
        var north = traffic.GetProperty("items").EnumerateArray().Single(c => c.GetProperty("direction").GetString() == "north" && c.GetProperty("congestion").GetString() != "unknown");
        Assert.Equal("jammed", north.GetProperty("congestion").GetString());
        Assert.InRange(north.GetProperty("samples").GetInt32(), 3, 5);
        Assert.InRange(north.GetProperty("meanSpeedKmh").GetDouble(), 7, 11);
        Assert.False(north.GetProperty("freeFlowLearned").GetBoolean());
        Assert.Equal(6, north.GetProperty("cell").GetString()!.Length);
    }

    [Fact]
    public async Task A_crash_alert_raises_a_hazard_at_the_crash_position_without_a_second_car()
    {
        var (lat, lon) = FreshRoad();
        var vin = Vins.Next("WDD2030461H");
        await using var car = await ConnectedAsync(vin);
        await car.TelemetryAsync(1, Signals(lat, lon, 50, 180));
        Assert.True((await car.PublishAsync($"vehicles/{vin}/events", """{"ts":1764028800500,"seq":1,"type":"SosButton"}""")).IsSuccess);

        var hazards = await Poll.UntilAsync(
            () => silo.Http("road-reader").GetFromJsonAsync<JsonElement>($"/api/v1/hazards?bbox={Bbox(lat, lon)}"),
            h => h.GetProperty("items").GetArrayLength() > 0);

        var hazard = Assert.Single(hazards.GetProperty("items").EnumerateArray());
        Assert.Equal("crash", hazard.GetProperty("type").GetString());
        Assert.Equal(1, hazard.GetProperty("confirmations").GetInt32());
    }

    [Theory]
    [InlineData("/api/v1/hazards")]
    [InlineData("/api/v1/hazards?bbox=1,2,3")]
    [InlineData("/api/v1/hazards?bbox=10,50,9,51")]
    [InlineData("/api/v1/traffic?bbox=-180,-90,180,90")]
    [InlineData("/api/v1/traffic?bbox=a,b,c,d")]
    public async Task A_missing_malformed_or_too_large_bbox_is_a_400_that_names_it(string url)
    {
        using var response = await silo.Http("road-reader").GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("bbox", out _), problem.ToString());
    }

    [Fact]
    public async Task Road_routes_need_a_person_signed_in()
    {
        using var anonymous = await silo.Http().GetAsync("/api/v1/hazards?bbox=13.3,52.4,13.5,52.6");
        using var car = await silo.For(Identity.Vehicle, "x", "WDD2030461H999999").GetAsync("/api/v1/traffic?bbox=13.3,52.4,13.5,52.6");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, car.StatusCode);
    }
}
