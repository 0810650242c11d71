using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using DigitalTwin.Security;
using DigitalTwin.Silo;
using DigitalTwin.Testing;
using Microsoft.AspNetCore.Builder;

namespace DigitalTwin.EndToEnd.Tests;

/// <summary>
/// The real host on a real PostgreSQL, stopped and started again: what was stored must come back, and a crash
/// that was raised must not be raised a second time.
/// </summary>
public sealed class PostgresRestartTests : IAsyncLifetime
{
    private PostgresServer _postgres = null!;
    private string _database = null!;

    public async Task InitializeAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        _database = await _postgres.CreateDatabaseAsync("restart");
    }

    public async Task DisposeAsync() => await _postgres.DisposeAsync();

    private sealed record Host(WebApplication App, int MqttPort, Uri BaseAddress);

    private async Task<Host> StartAsync()
    {
        var mqtt = TestPorts.Free();
        var baseAddress = new Uri($"http://127.0.0.1:{TestPorts.Free()}");
        var app = SiloHost.Build(
        [
            "--environment=Testing",
            $"--urls={baseAddress}",
            $"--Mqtt:Port={mqtt}",
            "--Mqtt:Host=127.0.0.1",
            $"--Orleans:SiloPort={TestPorts.Free()}",
            $"--Orleans:GatewayPort={TestPorts.Free()}",
            $"--Auth:SigningKey={SiloFixture.SigningKey}",
            $"--ConnectionStrings:Postgres={_database}",
            "--Persistence:FlushInterval=00:00:00.100",
            "--Logging:LogLevel:Default=Warning",
        ]);
        await app.StartAsync();
        return new Host(app, mqtt, baseAddress);
    }

    private static async Task StopAsync(Host host)
    {
        await host.App.StopAsync();
        await host.App.DisposeAsync();
    }

    private static HttpClient Operator(Host host)
    {
        var http = new HttpClient { BaseAddress = host.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", new TokenIssuer(SiloFixture.SigningKey).Mint("ops", Roles.Operator, TimeSpan.FromHours(1)));
        return http;
    }

    private static CarClient Car(Host host, string vin) =>
        new(vin, host.MqttPort, new TokenIssuer(SiloFixture.SigningKey).Mint(vin, Roles.Vehicle, TimeSpan.FromHours(1)));

    [Fact]
    public async Task Twins_owners_alerts_and_queued_commands_survive_a_restart_and_a_crash_is_not_raised_twice()
    {
        var vin = Vins.Next("WDD2030461P");
        var first = await StartAsync();
        Guid queued;
        string alertId;
        try
        {
            using var ops = Operator(first);
            Assert.Equal(HttpStatusCode.Created, (await ops.PostAsJsonAsync("/api/v1/vehicles", new { vin, ownerId = "erin" })).StatusCode);
            await using (var car = Car(first, vin))
            {
                await car.ConnectAsync();
                Assert.True((await car.TelemetryAsync(1, """{"Vehicle.Speed":33,"Vehicle.Cabin.Seat.Row1.Pos1.Airbag.IsDeployed":true}""")).IsSuccess);
            }

            var alerts = await ops.GetFromJsonAsync<JsonElement>($"/api/v1/vehicles/{vin}/alerts");
            alertId = Assert.Single(alerts.EnumerateArray()).GetProperty("id").GetString()!;
            using var submitted = await ops.PostAsJsonAsync($"/api/v1/vehicles/{vin}/commands", new { name = "doors.lock", ttlSeconds = 3600 });
            queued = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        }
        finally
        {
            // A graceful stop flushes every dirty twin.
            await StopAsync(first);
        }

        var second = await StartAsync();
        try
        {
            using var ops = Operator(second);
            var twin = await ops.GetFromJsonAsync<JsonElement>($"/api/v1/vehicles/{vin}");
            Assert.Equal(33, twin.Number("Vehicle.Speed"));
            Assert.Equal(alertId, twin.GetProperty("crash").GetProperty("alertId").GetString());

            var owned = new HttpClient { BaseAddress = second.BaseAddress };
            owned.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", new TokenIssuer(SiloFixture.SigningKey).Mint("erin", Roles.User, TimeSpan.FromHours(1)));
            Assert.Equal(HttpStatusCode.OK, (await owned.GetAsync($"/api/v1/vehicles/{vin}")).StatusCode);
            Assert.Equal("pending", (await ops.GetFromJsonAsync<JsonElement>($"/api/v1/vehicles/{vin}/commands/{queued}")).GetProperty("status").GetString());

            // The car comes back still reporting the deployed airbag: the same incident, not a second alert;
            // and the command queued before the restart reaches it.
            await using var car = Car(second, vin);
            var received = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
            car.Mqtt.ApplicationMessageReceivedAsync += e =>
            {
                received.TrySetResult(JsonDocument.Parse(Encoding.UTF8.GetString(e.ApplicationMessage.Payload)).RootElement.Clone());
                return Task.CompletedTask;
            };
            await car.ConnectAsync();
            await car.Mqtt.SubscribeAsync(new MQTTnet.MqttClientSubscribeOptionsBuilder().WithTopicFilter($"vehicles/{vin}/commands", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build());
            Assert.True((await car.TelemetryAsync(2, """{"Vehicle.Speed":0,"Vehicle.Cabin.Seat.Row1.Pos1.Airbag.IsDeployed":true}""")).IsSuccess);

            var alerts = await ops.GetFromJsonAsync<JsonElement>($"/api/v1/vehicles/{vin}/alerts");
            Assert.Equal(alertId, Assert.Single(alerts.EnumerateArray()).GetProperty("id").GetString());
            var command = await received.Task.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(queued, command.GetProperty("id").GetGuid());
        }
        finally
        {
            await StopAsync(second);
        }
    }

}
