using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;

namespace DigitalTwin.EndToEnd.Tests;

[Collection(SiloCollection.Name)]
public sealed class InsightsEndToEndTests(SiloFixture silo)
{
    /// <summary>
    /// A short city drive, one document a second ending a minute ago: off, pull away, 50 km/h with five harsh
    /// accelerations, one harsh brake, stop and ignition off. Returns how many documents were sent.
    /// </summary>
    internal static async Task<int> DriveAsync(DigitalTwin.Testing.CarClient car, long startTs)
    {
        var seq = 0;
        var ts = startTs;
        var odometer = 20_000.0;
        var latitude = 52.52;
        var soc = 70.0;

        async Task Send(double speed, double longitudinal = 0, string ignition = "ON")
        {
            odometer += speed / 3600;
            latitude += speed / 3.6 / 111_320;
            soc -= speed / 3600 * 0.25;
            var signals = string.Create(CultureInfo.InvariantCulture, $$"""{"Vehicle.Speed":{{speed}},"Vehicle.TraveledDistance":{{odometer:0.0000}},"Vehicle.CurrentLocation.Latitude":{{latitude:0.000000}},"Vehicle.CurrentLocation.Longitude":13.405,"Vehicle.Acceleration.Longitudinal":{{longitudinal}},"Vehicle.Powertrain.TractionBattery.StateOfCharge.Current":{{soc:0.000}},"Vehicle.Powertrain.TractionBattery.NetCapacity":75,"Vehicle.LowVoltageSystemState":"{{ignition}}"}""");
            var ack = await car.TelemetryAsync(++seq, signals, ts: ts);
            Assert.True(ack.IsSuccess, ack.ReasonString);
            ts += 1000;
        }

        await Send(0);
        for (var v = 5; v <= 50; v += 5)
        {
            await Send(v, 1.4);
        }

        for (var i = 0; i < 5; i++)
        {
            await Send(50, 3.9);
            for (var j = 0; j < 20; j++)
            {
                await Send(50);
            }
        }

        await Send(45, -6.5);
        for (var j = 0; j < 30; j++)
        {
            await Send(50);
        }

        for (var v = 45; v >= 0; v -= 5)
        {
            await Send(v, -1.4);
        }

        await Send(0, 0, "OFF");
        return seq;
    }

    [Fact]
    public async Task A_drive_shows_its_trip_and_scores_over_http_and_sse_and_the_driver_gets_a_tip_over_mqtt()
    {
        var owner = "drv-" + Guid.NewGuid().ToString("N")[..8];
        var vin = Vins.Next("WDD2030461D");
        await silo.RegisterAsync(vin, owner);
        var http = silo.For(Identity.Owner, owner, vin);
        await using var stream = await SseReader.OpenAsync(http, vin);

        var notifications = new ConcurrentQueue<JsonElement>();
        await using var car = silo.Car(vin);
        car.Mqtt.ApplicationMessageReceivedAsync += e =>
        {
            notifications.Enqueue(JsonDocument.Parse(Encoding.UTF8.GetString(e.ApplicationMessage.Payload)).RootElement.Clone());
            return Task.CompletedTask;
        };
        await car.ConnectAsync();
        // Like a car's head unit: its commands (which opens its link to the twin) and its notifications.
        var sub = await car.Mqtt.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter($"vehicles/{vin}/commands", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter($"vehicles/{vin}/notifications", MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        Assert.All(sub.Items, i => Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, i.ResultCode));

        var start = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeMilliseconds();
        await DriveAsync(car, start);

        var tripEvent = await stream.NextMatchingAsync(e => e.Type == "trip", TimeSpan.FromSeconds(20));
        var tip = await Poll.UntilAsync(() => Task.FromResult(notifications.FirstOrDefault()), n => n.ValueKind == JsonValueKind.Object, TimeSpan.FromSeconds(10));
        var trips = await http.GetFromJsonAsync<JsonElement>($"/api/v1/vehicles/{vin}/trips");
        var scores = await http.GetFromJsonAsync<JsonElement>($"/api/v1/vehicles/{vin}/scores");
        var board = await Poll.UntilAsync(
            () => http.GetFromJsonAsync<JsonElement>("/api/v1/leaderboard?period=month"),
            b => b.GetProperty("entries").GetArrayLength() == 1,
            TimeSpan.FromSeconds(10));

        Assert.Equal("ecoTip", tip.GetProperty("type").GetString());
        Assert.Equal("harshAcceleration", tip.GetProperty("data").GetProperty("kind").GetString());
        var trip = Assert.Single(trips.GetProperty("items").EnumerateArray());
        Assert.Equal(tripEvent.Data.GetProperty("id").GetString(), trip.GetProperty("id").GetString());
        Assert.Equal($"{vin}-trip-{start + 1000}", trip.GetProperty("id").GetString());
        Assert.Equal("ignitionOff", trip.GetProperty("endReason").GetString());
        Assert.Equal("odometer", trip.GetProperty("distanceSource").GetString());
        Assert.InRange(trip.GetProperty("distanceKm").GetDouble(), 2.0, 2.6);
        Assert.Equal(1, trip.GetProperty("counts").GetProperty("harshBraking").GetInt32());
        Assert.Equal(5, trip.GetProperty("counts").GetProperty("harshAcceleration").GetInt32());
        Assert.True(trip.GetProperty("energyKwh").GetDouble() > 0);
        Assert.True(trip.GetProperty("co2Grams").GetDouble() > 0);
        Assert.Equal(JsonValueKind.Null, trips.GetProperty("next").ValueKind);

        var lastTrip = scores.GetProperty("lastTrip");
        Assert.Equal(trip.GetProperty("id").GetString(), lastTrip.GetProperty("tripId").GetString());
        Assert.InRange(lastTrip.GetProperty("drivingScore").GetDouble(), 1, 99);
        Assert.Contains(lastTrip.GetProperty("events").EnumerateArray(), e => e.GetProperty("kind").GetString() == "harshBraking");
        Assert.Equal(1, scores.GetProperty("rolling30Days").GetProperty("trips").GetInt32());
        Assert.True(scores.GetProperty("fleetMedian").GetProperty("vehicles").GetInt32() >= 1);
        Assert.Equal(DateTimeOffset.UtcNow.ToString("yyyy-MM", CultureInfo.InvariantCulture), scores.GetProperty("footprint")[0].GetProperty("month").GetString());

        var entry = board.GetProperty("entries")[0];
        Assert.Equal((vin, 1), (entry.GetProperty("vin").GetString(), entry.GetProperty("rank").GetInt32()));
        Assert.Equal(trip.GetProperty("ecoScore").GetDouble(), entry.GetProperty("ecoScore").GetDouble());
    }

    [Fact]
    public async Task Trips_scores_and_sessions_of_another_owners_car_are_a_404_like_a_missing_one()
    {
        var owner = "drv-" + Guid.NewGuid().ToString("N")[..8];
        var vin = await silo.RegisteredCarWithTelemetryAsync(owner);
        using var stranger = silo.For(Identity.OtherOwner, owner, vin);
        var missing = Vins.Next("WDD2030461M");

        foreach (var route in new[] { "trips", "scores", "charging-sessions" })
        {
            using var foreign = await stranger.GetAsync($"/api/v1/vehicles/{vin}/{route}");
            using var absent = await silo.Operator().GetAsync($"/api/v1/vehicles/{missing}/{route}");
            Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (foreign.StatusCode, absent.StatusCode));
            Assert.Equal(await absent.Content.ReadFromJsonAsync<JsonElement>() is var a ? a.GetProperty("title").GetString() : null,
                (await foreign.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        }
    }

    [Theory]
    [InlineData("/api/v1/vehicles/{vin}/trips?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "from")]
    [InlineData("/api/v1/vehicles/{vin}/trips?limit=0", "limit")]
    [InlineData("/api/v1/vehicles/{vin}/charging-sessions?limit=100000", "limit")]
    [InlineData("/api/v1/leaderboard?period=year", "period")]
    [InlineData("/api/v1/leaderboard?period=%27%3B--", "period")]
    [InlineData("/api/v1/vehicles/WDD2030461O000001/trips", "vin")]
    public async Task A_bad_query_is_a_400_problem_that_names_the_field(string path, string field)
    {
        var owner = "drv-" + Guid.NewGuid().ToString("N")[..8];
        var vin = await silo.RegisteredCarWithTelemetryAsync(owner);

        using var response = await silo.For(Identity.Owner, owner, vin).GetAsync(path.Replace("{vin}", vin));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task A_malformed_instant_is_a_400_problem()
    {
        var owner = "drv-" + Guid.NewGuid().ToString("N")[..8];
        var vin = await silo.RegisteredCarWithTelemetryAsync(owner);

        using var response = await silo.For(Identity.Owner, owner, vin).GetAsync($"/api/v1/vehicles/{vin}/trips?from=yesterday");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
