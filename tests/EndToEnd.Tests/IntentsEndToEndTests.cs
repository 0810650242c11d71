using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace DigitalTwin.EndToEnd.Tests;

[Collection(SiloCollection.Name)]
public sealed class IntentsEndToEndTests(SiloFixture silo)
{
    private async Task<(string Vin, string Owner, HttpClient Http)> OwnedCarAsync(string signalsJson)
    {
        var owner = "voice-" + Guid.NewGuid().ToString("N")[..8];
        var vin = Vins.Next("WDD2030461V");
        await silo.RegisterAsync(vin, owner);
        await using var car = silo.Car(vin);
        await car.ConnectAsync();
        Assert.True((await car.TelemetryAsync(1, signalsJson)).IsSuccess);
        return (vin, owner, silo.For(Identity.Owner, owner, vin));
    }

    private static async Task<JsonElement> AskAsync(HttpClient http, string vin, object body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await http.PostAsJsonAsync($"/api/v1/vehicles/{vin}/intents", body);
        Assert.Equal(expected, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task Lock_my_car_starts_doors_lock_through_the_command_lifecycle_and_says_so()
    {
        var (vin, _, http) = await OwnedCarAsync("""{"Vehicle.Speed":0}""");

        var answer = await AskAsync(http, vin, new { utterance = "Lock my car, please" });

        Assert.Equal("LockDoors", answer.GetProperty("intent").GetString());
        Assert.Equal("started", answer.GetProperty("outcome").GetString());
        Assert.Equal("Locking your car.", answer.GetProperty("speech").GetString());
        var id = answer.GetProperty("command").GetProperty("id").GetGuid();
        var command = await http.GetFromJsonAsync<JsonElement>($"/api/v1/vehicles/{vin}/commands/{id}");
        Assert.Equal("doors.lock", command.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Questions_are_answered_from_the_twin_in_a_sentence_ready_to_speak()
    {
        var (vin, _, http) = await OwnedCarAsync("""{"Vehicle.Powertrain.TractionBattery.StateOfCharge.Current":62.4,"Vehicle.Cabin.Door.Row1.DriverSide.IsLocked":true,"Vehicle.CurrentLocation.Latitude":52.52,"Vehicle.CurrentLocation.Longitude":13.405}""");

        var battery = await AskAsync(http, vin, new { intent = "BatteryLevel" });
        var locked = await AskAsync(http, vin, new { utterance = "is my car locked?" });
        var where = await AskAsync(http, vin, new { utterance = "where is my car" });
        var range = await AskAsync(http, vin, new { utterance = "what's my range" });

        Assert.Equal("Your battery is at 62 percent.", battery.GetProperty("speech").GetString());
        Assert.Equal("Yes, your car is locked.", locked.GetProperty("speech").GetString());
        Assert.StartsWith("Your car is at latitude 52.5200, longitude 13.4050", where.GetProperty("speech").GetString());
        Assert.Equal("Your car has not reported its range yet.", range.GetProperty("speech").GetString());
        Assert.Equal(JsonValueKind.Null, battery.GetProperty("command").ValueKind);
    }

    [Fact]
    public async Task Warm_up_at_a_time_of_day_plans_preconditioning_in_the_callers_time_zone()
    {
        var (vin, _, http) = await OwnedCarAsync("""{"Vehicle.Powertrain.TractionBattery.StateOfCharge.Current":80}""");

        var answer = await AskAsync(http, vin, new { utterance = "warm up my car to 21 degrees at 7:30", timeZone = "Europe/Berlin" });

        Assert.Equal("scheduled", answer.GetProperty("outcome").GetString());
        Assert.Equal("Your car will be at 21 degrees at 07:30.", answer.GetProperty("speech").GetString());
        var departure = answer.GetProperty("preconditioning").GetProperty("departureAt").GetDateTimeOffset();
        var berlin = TimeZoneInfo.ConvertTime(departure, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));
        Assert.Equal(new TimeSpan(7, 30, 0), berlin.TimeOfDay);
        Assert.InRange(departure - DateTimeOffset.UtcNow, TimeSpan.Zero, TimeSpan.FromDays(1));
    }

    [Fact]
    public async Task A_guard_of_the_command_policy_is_spoken_back_not_thrown()
    {
        var (vin, _, http) = await OwnedCarAsync("""{"Vehicle.Speed":80}""");

        var answer = await AskAsync(http, vin, new { intent = "UnlockDoors" });

        Assert.Equal("refused", answer.GetProperty("outcome").GetString());
        Assert.StartsWith("I can't do that right now", answer.GetProperty("speech").GetString());
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("command").ValueKind);
    }

    [Theory]
    [InlineData("sing me a song", "notUnderstood")]
    [InlineData("lock and unlock my car", "ambiguous")]
    [InlineData("'; DROP TABLE commands; --", "notUnderstood")]
    public async Task Unknown_or_ambiguous_words_get_a_helpful_answer(string utterance, string outcome)
    {
        var (vin, _, http) = await OwnedCarAsync("""{"Vehicle.Speed":0}""");

        var answer = await AskAsync(http, vin, new { utterance });

        Assert.Equal(outcome, answer.GetProperty("outcome").GetString());
        Assert.False(string.IsNullOrWhiteSpace(answer.GetProperty("speech").GetString()));
    }

    [Theory]
    [InlineData("""{}""", "utterance")]
    [InlineData("""{"utterance":"lock my car","intent":"LockDoors"}""", "utterance")]
    [InlineData("""{"intent":"SelfDestruct"}""", "intent")]
    [InlineData("""{"intent":"Precondition","slots":{"at":"tomorrow"}}""", "intent")]
    [InlineData("""{"utterance":"lock my car","timeZone":"Mars/Olympus"}""", "timeZone")]
    public async Task A_request_that_is_not_an_intent_is_a_400_that_names_the_field(string body, string field)
    {
        var (vin, _, http) = await OwnedCarAsync("""{"Vehicle.Speed":0}""");
        using var response = await http.PostAsync($"/api/v1/vehicles/{vin}/intents", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task Another_persons_car_answers_404_like_a_missing_one()
    {
        var (vin, owner, _) = await OwnedCarAsync("""{"Vehicle.Speed":0}""");

        using var response = await silo.For(Identity.OtherOwner, owner, vin).PostAsJsonAsync($"/api/v1/vehicles/{vin}/intents", new { utterance = "unlock my car" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
