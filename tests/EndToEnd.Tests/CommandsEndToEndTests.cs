using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DigitalTwin.Testing;
using MQTTnet;
using MQTTnet.Protocol;

namespace DigitalTwin.EndToEnd.Tests;

[Collection(SiloCollection.Name)]
public sealed class CommandsEndToEndTests(SiloFixture silo)
{
    private sealed class ListeningCar : IAsyncDisposable
    {
        public required CarClient Car { get; init; }
        public ConcurrentQueue<JsonElement> Commands { get; } = new();

        public static async Task<ListeningCar> ConnectAsync(SiloFixture silo, string vin)
        {
            var car = silo.Car(vin);
            var listening = new ListeningCar { Car = car };
            car.Mqtt.ApplicationMessageReceivedAsync += e =>
            {
                listening.Commands.Enqueue(JsonDocument.Parse(Encoding.UTF8.GetString(e.ApplicationMessage.Payload)).RootElement.Clone());
                return Task.CompletedTask;
            };
            await car.ConnectAsync();
            var sub = await car.Mqtt.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter($"vehicles/{vin}/commands", MqttQualityOfServiceLevel.AtLeastOnce).Build());
            Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, sub.Items.Single().ResultCode);
            return listening;
        }

        public async Task<JsonElement> NextCommandAsync(Guid id)
        {
            JsonElement found = default;
            await Poll.UntilAsync(() => Task.FromResult(Commands.Any(c => c.GetProperty("id").GetGuid() == id)), f => f, TimeSpan.FromSeconds(10));
            found = Commands.First(c => c.GetProperty("id").GetGuid() == id);
            return found;
        }

        public Task<MqttClientPublishResult> AckAsync(Guid id, string status, string? reason = null) =>
            Car.PublishAsync($"vehicles/{Car.Vin}/commands/ack", JsonSerializer.Serialize(new { id, status, reason }));

        public ValueTask DisposeAsync() => Car.DisposeAsync();
    }

    private async Task<(string Vin, string Owner, HttpClient Http)> OwnedCarAsync()
    {
        var owner = "cmd-" + Guid.NewGuid().ToString("N")[..8];
        var vin = Vins.Next("WDD2030461M");
        await silo.RegisterAsync(vin, owner);
        return (vin, owner, silo.For(Identity.Owner, owner, vin));
    }

    private static async Task<JsonElement> SubmitAsync(HttpClient http, string vin, object body, HttpStatusCode expected = HttpStatusCode.Accepted, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/vehicles/{vin}/commands") { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        using var response = await http.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<string> StatusAsync(HttpClient http, string vin, Guid id) =>
        (await http.GetFromJsonAsync<JsonElement>($"/api/v1/vehicles/{vin}/commands/{id}")).GetProperty("status").GetString()!;

    [Fact]
    public async Task An_online_car_gets_the_command_at_once_and_its_acks_move_it_to_completed()
    {
        var (vin, _, http) = await OwnedCarAsync();
        await using var car = await ListeningCar.ConnectAsync(silo, vin);

        var command = await SubmitAsync(http, vin, new { name = "charging.setLimit", @params = new { limit = 80 }, ttlSeconds = 600 });
        var id = command.GetProperty("id").GetGuid();
        var received = await car.NextCommandAsync(id);

        Assert.Equal("charging.setLimit", received.GetProperty("name").GetString());
        Assert.Equal(80, received.GetProperty("params").GetProperty("limit").GetInt32());
        Assert.True(received.GetProperty("expiresAt").GetInt64() > DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Assert.Equal("sent", await StatusAsync(http, vin, id));

        Assert.True((await car.AckAsync(id, "accepted")).IsSuccess);
        Assert.Equal("accepted", await StatusAsync(http, vin, id));
        Assert.True((await car.AckAsync(id, "completed")).IsSuccess);
        Assert.Equal("completed", await StatusAsync(http, vin, id));
    }

    [Theory]
    [InlineData("rejected")]
    [InlineData("failed")]
    public async Task A_car_can_reject_or_fail_a_command_with_a_reason(string outcome)
    {
        var (vin, _, http) = await OwnedCarAsync();
        await using var car = await ListeningCar.ConnectAsync(silo, vin);
        var id = (await SubmitAsync(http, vin, new { name = "doors.lock" })).GetProperty("id").GetGuid();
        await car.NextCommandAsync(id);

        if (outcome == "failed")
        {
            await car.AckAsync(id, "accepted");
        }

        await car.AckAsync(id, outcome, "a door is open");

        var status = await http.GetFromJsonAsync<JsonElement>($"/api/v1/vehicles/{vin}/commands/{id}");
        Assert.Equal(outcome, status.GetProperty("status").GetString());
        Assert.Equal("a door is open", status.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_command_for_an_offline_car_waits_and_is_delivered_in_order_when_it_comes_back()
    {
        var (vin, _, http) = await OwnedCarAsync();
        var lockId = (await SubmitAsync(http, vin, new { name = "doors.lock" })).GetProperty("id").GetGuid();
        var limitId = (await SubmitAsync(http, vin, new { name = "charging.setLimit", @params = new { limit = 90 } })).GetProperty("id").GetGuid();
        Assert.Equal("pending", await StatusAsync(http, vin, lockId));

        await using var car = await ListeningCar.ConnectAsync(silo, vin);
        await car.NextCommandAsync(limitId);

        Assert.Equal(new[] { lockId, limitId }, car.Commands.Select(c => c.GetProperty("id").GetGuid()).ToArray());
        Assert.Equal("sent", await StatusAsync(http, vin, lockId));
    }

    [Fact]
    public async Task Only_the_latest_climate_set_point_reaches_a_car_that_wakes_up()
    {
        var (vin, _, http) = await OwnedCarAsync();
        var departure = DateTimeOffset.UtcNow.AddHours(2).ToString("O");
        var older = (await SubmitAsync(http, vin, new { name = "hvac.precondition", @params = new { targetTemperatureC = 19, departureAt = departure } })).GetProperty("id").GetGuid();
        var newer = (await SubmitAsync(http, vin, new { name = "hvac.precondition", @params = new { targetTemperatureC = 23, departureAt = departure } })).GetProperty("id").GetGuid();

        await using var car = await ListeningCar.ConnectAsync(silo, vin);
        var received = await car.NextCommandAsync(newer);

        Assert.Equal(23, received.GetProperty("params").GetProperty("targetTemperatureC").GetDouble());
        Assert.DoesNotContain(car.Commands, c => c.GetProperty("id").GetGuid() == older);
        var superseded = await http.GetFromJsonAsync<JsonElement>($"/api/v1/vehicles/{vin}/commands/{older}");
        Assert.Equal("expired", superseded.GetProperty("status").GetString());
        Assert.Contains(newer.ToString(), superseded.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_command_whose_TTL_passes_before_the_car_comes_back_expires_and_is_never_sent()
    {
        var (vin, _, http) = await OwnedCarAsync();
        var id = (await SubmitAsync(http, vin, new { name = "doors.lock", ttlSeconds = 1 })).GetProperty("id").GetGuid();

        await Poll.UntilAsync(() => StatusAsync(http, vin, id), s => s == "expired", TimeSpan.FromSeconds(10));
        await using var car = await ListeningCar.ConnectAsync(silo, vin);
        var marker = (await SubmitAsync(http, vin, new { name = "doors.unlock" })).GetProperty("id").GetGuid();
        await car.NextCommandAsync(marker);

        Assert.DoesNotContain(car.Commands, c => c.GetProperty("id").GetGuid() == id);
    }

    [Fact]
    public async Task Duplicate_and_foreign_acks_change_nothing_and_are_counted()
    {
        var (vin, _, http) = await OwnedCarAsync();
        var (otherVin, _, otherHttp) = await OwnedCarAsync();
        await using var car = await ListeningCar.ConnectAsync(silo, vin);
        await using var other = await ListeningCar.ConnectAsync(silo, otherVin);
        var id = (await SubmitAsync(http, vin, new { name = "doors.lock" })).GetProperty("id").GetGuid();
        var othersId = (await SubmitAsync(otherHttp, otherVin, new { name = "doors.lock" })).GetProperty("id").GetGuid();
        await car.NextCommandAsync(id);
        await other.NextCommandAsync(othersId);
        var before = await CountAsync("unknown_command");

        await car.AckAsync(id, "completed");
        var duplicate = await car.AckAsync(id, "completed");
        var foreign = await car.AckAsync(othersId, "rejected");
        var malformed = await car.Car.PublishAsync($"vehicles/{vin}/commands/ack", """{"id":"x","status":"done"}""");

        Assert.True(duplicate.IsSuccess);
        Assert.True(foreign.IsSuccess, "an unknown id is ignored, not an error the car must retry");
        Assert.Equal(MqttClientPublishReasonCode.PayloadFormatInvalid, malformed.ReasonCode);
        Assert.Equal("completed", await StatusAsync(http, vin, id));
        Assert.Equal("sent", await StatusAsync(otherHttp, otherVin, othersId));
        Assert.Equal(before + 1, await CountAsync("unknown_command"));
    }

    [Fact]
    public async Task A_retried_POST_with_the_same_Idempotency_Key_returns_the_same_command()
    {
        var (vin, _, http) = await OwnedCarAsync();

        var first = await SubmitAsync(http, vin, new { name = "doors.lock" }, idempotencyKey: "retry-1");
        var retry = await SubmitAsync(http, vin, new { name = "doors.lock" }, idempotencyKey: "retry-1");

        Assert.Equal(first.GetProperty("id").GetGuid(), retry.GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task A_command_the_cars_state_contradicts_is_a_409_with_the_reason()
    {
        var (vin, _, http) = await OwnedCarAsync();
        await using (var car = silo.Car(vin))
        {
            await car.ConnectAsync();
            await car.TelemetryAsync(1, """{"Vehicle.Speed":48,"Vehicle.Powertrain.TractionBattery.Charging.IsChargingCableConnected":false}""");
        }

        var unlock = await SubmitAsync(http, vin, new { name = "doors.unlock" }, HttpStatusCode.Conflict);
        var charge = await SubmitAsync(http, vin, new { name = "charging.start" }, HttpStatusCode.Conflict);

        Assert.Contains("moving", unlock.GetProperty("detail").GetString());
        Assert.Contains("cable", charge.GetProperty("detail").GetString());
        Assert.Equal("https://digitaltwin.dev/problems/conflict", unlock.GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("""{"name":"self.destruct"}""", "name")]
    [InlineData("""{}""", "name")]
    [InlineData("""{"name":"charging.setLimit","params":{"limit":30}}""", "params.limit")]
    [InlineData("""{"name":"charging.setLimit","params":{"limit":"80"}}""", "params.limit")]
    [InlineData("""{"name":"charging.setLimit","params":[80]}""", "params")]
    [InlineData("""{"name":"doors.lock","ttlSeconds":0}""", "ttlSeconds")]
    [InlineData("""{"name":"doors.lock","ttlSeconds":999999}""", "ttlSeconds")]
    [InlineData("""{"name":"hvac.precondition","params":{"targetTemperatureC":40}}""", "params.targetTemperatureC")]
    public async Task An_unknown_command_or_bad_params_is_a_400_that_names_the_field(string body, string field)
    {
        var (vin, _, http) = await OwnedCarAsync();

        using var response = await http.PostAsync($"/api/v1/vehicles/{vin}/commands", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task A_hostile_Idempotency_Key_is_a_400()
    {
        var (vin, _, http) = await OwnedCarAsync();

        await SubmitAsync(http, vin, new { name = "doors.lock" }, HttpStatusCode.BadRequest, idempotencyKey: new string('k', 500));
    }

    [Fact]
    public async Task An_unknown_command_id_is_a_404()
    {
        var (vin, _, http) = await OwnedCarAsync();

        using var response = await http.GetAsync($"/api/v1/vehicles/{vin}/commands/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Every_state_change_of_a_command_reaches_the_owners_stream()
    {
        var (vin, _, http) = await OwnedCarAsync();
        await using var sse = await SseReader.OpenAsync(http, vin);
        await sse.NextAsync(TimeSpan.FromSeconds(5));
        await using var car = await ListeningCar.ConnectAsync(silo, vin);

        var id = (await SubmitAsync(http, vin, new { name = "doors.lock" })).GetProperty("id").GetGuid();
        await car.NextCommandAsync(id);
        await car.AckAsync(id, "completed");

        foreach (var status in new[] { "pending", "sent", "completed" })
        {
            await sse.NextMatchingAsync(e => e.Type == "command" && e.Data.GetProperty("id").GetGuid() == id && e.Data.GetProperty("status").GetString() == status, TimeSpan.FromSeconds(5));
        }
    }

    private async Task<long> CountAsync(string reason)
    {
        using var doc = await silo.Operator().GetFromJsonAsync<JsonDocument>("/api/v1/operations/dead-letters?limit=1");
        return doc!.RootElement.GetProperty("counts").TryGetProperty(reason, out var n) ? n.GetInt64() : 0;
    }
}
