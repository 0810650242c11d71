using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DigitalTwin.Grains.Storage;
using DigitalTwin.Silo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MQTTnet;
using MQTTnet.Protocol;

namespace DigitalTwin.EndToEnd.Tests;

[Collection(SiloCollection.Name)]
public sealed class CrashEndToEndTests(SiloFixture silo)
{
    [Fact]
    public async Task A_frontal_crash_over_MQTT_is_an_alert_over_HTTP_and_SSE_and_an_emergency_ack_to_the_car()
    {
        var owner = "crash-" + Guid.NewGuid().ToString("N")[..8];
        var vin = Vins.Next("WDD2030461C");
        await silo.RegisterAsync(vin, owner);
        var http = silo.For(Identity.Owner, owner, vin);
        await using var sse = await SseReader.OpenAsync(http, vin);
        await sse.NextAsync(TimeSpan.FromSeconds(5));

        await using var car = silo.Car(vin);
        await car.ConnectAsync();
        var commands = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        car.Mqtt.ApplicationMessageReceivedAsync += e =>
        {
            commands.TrySetResult(JsonDocument.Parse(Encoding.UTF8.GetString(e.ApplicationMessage.Payload)).RootElement.Clone());
            return Task.CompletedTask;
        };
        await car.Mqtt.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter($"vehicles/{vin}/commands", MqttQualityOfServiceLevel.AtLeastOnce).Build());

        // 100 Hz: cruising at 60 km/h with a passenger, then a 12 g pulse and standstill within 200 ms.
        var ts = 1764028800000L;
        var seq = 1;
        for (var i = 0; i < 20; i++, seq++, ts += 10)
        {
            await car.TelemetryAsync(seq, """{"Vehicle.Speed":60,"Vehicle.Acceleration.Longitudinal":-0.2,"Vehicle.CurrentLocation.Latitude":48.137,"Vehicle.CurrentLocation.Longitude":11.575,"Vehicle.CurrentLocation.Heading":90,"Vehicle.Cabin.Seat.Row1.Pos1.IsOccupied":true,"Vehicle.Cabin.Seat.Row1.Pos2.IsOccupied":true}""", ts: ts);
        }

        await car.TelemetryAsync(seq++, """{"Vehicle.Speed":45,"Vehicle.Acceleration.Longitudinal":-118}""", ts: ts += 10);
        await car.TelemetryAsync(seq++, """{"Vehicle.Speed":12,"Vehicle.Acceleration.Longitudinal":-80}""", ts: ts += 10);
        var last = await car.TelemetryAsync(seq++, """{"Vehicle.Speed":0,"Vehicle.Acceleration.Longitudinal":-2}""", ts: ts + 100);
        Assert.True(last.IsSuccess);

        // Stored before the PUBACK of the sample that confirmed it: readable at once.
        var alerts = await http.GetFromJsonAsync<JsonElement>($"/api/v1/vehicles/{vin}/alerts");
        var alert = Assert.Single(alerts.EnumerateArray());
        Assert.Equal("crash", alert.GetProperty("type").GetString());
        Assert.Equal("severeDeceleration", alert.GetProperty("trigger").GetString());
        Assert.Equal("critical", alert.GetProperty("severity").GetString());
        Assert.Equal(2, alert.GetProperty("occupants").GetInt32());
        Assert.Equal(48.137, alert.GetProperty("position").GetProperty("latitude").GetDouble());
        Assert.Equal(90, alert.GetProperty("position").GetProperty("heading").GetDouble());
        Assert.Equal(60, alert.GetProperty("speedBeforeKmh").GetDouble());
        var id = alert.GetProperty("id").GetString();

        var pushed = await sse.NextMatchingAsync(e => e.Type == "alert", TimeSpan.FromSeconds(5));
        Assert.Equal(id, pushed.Data.GetProperty("id").GetString());

        var command = await commands.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("emergency.ack", command.GetProperty("name").GetString());
        Assert.Equal(id, command.GetProperty("params").GetProperty("alertId").GetString());

        var twin = await http.GetFromJsonAsync<JsonElement>($"/api/v1/vehicles/{vin}");
        Assert.Equal("open", twin.GetProperty("crash").GetProperty("status").GetString());
        Assert.Equal(id, twin.GetProperty("crash").GetProperty("alertId").GetString());
    }

    [Fact]
    public async Task The_start_up_warm_up_of_the_crash_path_stores_and_publishes_nothing()
    {
        var alerts = silo.Services.GetRequiredService<IAlertStore>();

        Assert.Empty(await alerts.ListAsync(CrashPathWarmup.SampleVin, 10, CancellationToken.None));
        Assert.Contains(silo.Services.GetServices<IHostedService>(), s => s is CrashPathWarmup);
    }

    [Fact]
    public async Task A_pothole_at_speed_raises_nothing()
    {
        var owner = "crash-" + Guid.NewGuid().ToString("N")[..8];
        var vin = Vins.Next("WDD2030461C");
        await silo.RegisterAsync(vin, owner);
        await using var car = silo.Car(vin);
        await car.ConnectAsync();

        var ts = 1764028800000L;
        for (var seq = 1; seq <= 30; seq++, ts += 10)
        {
            var vertical = seq == 15 ? 60 : 0.1;
            await car.TelemetryAsync(seq, $$"""{"Vehicle.Speed":80,"Vehicle.Acceleration.Vertical":{{vertical}}}""", ts: ts);
        }

        var alerts = await silo.For(Identity.Owner, owner, vin).GetFromJsonAsync<JsonElement>($"/api/v1/vehicles/{vin}/alerts");
        Assert.Empty(alerts.EnumerateArray());
    }

    [Fact]
    public async Task An_operator_acknowledges_and_resolves_and_a_backwards_step_is_a_409()
    {
        var owner = "crash-" + Guid.NewGuid().ToString("N")[..8];
        var vin = await silo.RegisteredCarWithTelemetryAsync(owner, withSos: true);
        var id = Registrations.SosAlertId(vin);
        var ops = silo.Operator();

        using var ack = await ops.PostAsync($"/api/v1/vehicles/{vin}/alerts/{id}/acknowledge", null);
        using var resolve = await ops.PostAsync($"/api/v1/vehicles/{vin}/alerts/{id}/resolve", null);
        using var backwards = await ops.PostAsync($"/api/v1/vehicles/{vin}/alerts/{id}/acknowledge", null);
        using var unknown = await ops.PostAsync($"/api/v1/vehicles/{vin}/alerts/{vin}-crash-1/resolve", null);
        using var hostile = await ops.PostAsync($"/api/v1/vehicles/{vin}/alerts/{Uri.EscapeDataString("x'; --")}/resolve", null);

        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        Assert.Equal("acknowledged", (await ack.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, resolve.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, backwards.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, hostile.StatusCode);
        var twin = await silo.For(Identity.Owner, owner, vin).GetFromJsonAsync<JsonElement>($"/api/v1/vehicles/{vin}");
        Assert.Equal("resolved", twin.GetProperty("crash").GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_duplicate_SOS_event_raises_one_alert()
    {
        var owner = "crash-" + Guid.NewGuid().ToString("N")[..8];
        var vin = await silo.RegisteredCarWithTelemetryAsync(owner, withSos: true);
        await using var car = silo.Car(vin);
        await car.ConnectAsync();

        var again = await car.PublishAsync($"vehicles/{vin}/events", $$"""{"ts":{{Registrations.SosTs}},"seq":1,"type":"SosButton"}""");

        Assert.True(again.IsSuccess);
        var alerts = await silo.Operator().GetFromJsonAsync<JsonElement>($"/api/v1/vehicles/{vin}/alerts");
        Assert.Single(alerts.EnumerateArray());
    }
}
