using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace DigitalTwin.EndToEnd.Tests;

[Collection(SiloCollection.Name)]
public sealed class PreconditioningEndToEndTests(SiloFixture silo)
{
    [Fact]
    public async Task A_plan_is_visible_in_the_twin_and_can_be_cancelled()
    {
        var owner = "pre-" + Guid.NewGuid().ToString("N")[..8];
        var vin = await silo.RegisteredCarWithTelemetryAsync(owner);
        var http = silo.For(Identity.Owner, owner, vin);
        var departure = DateTimeOffset.UtcNow.AddHours(3);

        using var put = await http.PutAsJsonAsync($"/api/v1/vehicles/{vin}/preconditioning", new { departureAt = departure.ToOffset(TimeSpan.FromHours(1)).ToString("O"), targetTemperatureC = 21.5 });
        var plan = await put.Content.ReadFromJsonAsync<JsonElement>();
        var twin = await http.GetFromJsonAsync<JsonElement>($"/api/v1/vehicles/{vin}");

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("scheduled", plan.GetProperty("state").GetString());
        Assert.True(plan.GetProperty("plannedStartAt").GetDateTimeOffset() < departure);
        Assert.False(string.IsNullOrEmpty(plan.GetProperty("reason").GetString()));
        Assert.Equal(21.5, twin.GetProperty("preconditioning").GetProperty("targetTemperatureC").GetDouble());

        using var delete = await http.DeleteAsync($"/api/v1/vehicles/{vin}/preconditioning");
        using var gone = await http.GetAsync($"/api/v1/vehicles/{vin}/preconditioning");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal(JsonValueKind.Null, (await http.GetFromJsonAsync<JsonElement>($"/api/v1/vehicles/{vin}")).GetProperty("preconditioning").ValueKind);
    }

    [Fact]
    public async Task A_departure_too_soon_starts_now_and_sends_hvac_precondition_expiring_at_departure()
    {
        var owner = "pre-" + Guid.NewGuid().ToString("N")[..8];
        var vin = await silo.RegisteredCarWithTelemetryAsync(owner);
        var http = silo.For(Identity.Owner, owner, vin);
        var departure = DateTimeOffset.UtcNow.AddMinutes(5);

        using var put = await http.PutAsJsonAsync($"/api/v1/vehicles/{vin}/preconditioning", new { departureAt = departure.ToString("O"), targetTemperatureC = 22 });
        var plan = await put.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("started", plan.GetProperty("state").GetString());
        var commandId = plan.GetProperty("reason").GetString()!.Split("hvac.precondition ")[1];
        var command = await http.GetFromJsonAsync<JsonElement>($"/api/v1/vehicles/{vin}/commands/{commandId}");
        Assert.Equal("hvac.precondition", command.GetProperty("name").GetString());
        Assert.InRange(command.GetProperty("expiresAt").GetDateTimeOffset() - departure, TimeSpan.FromSeconds(-2), TimeSpan.FromSeconds(2));
    }

    [Theory]
    [InlineData("""{"departureAt":"2020-01-01T00:00:00Z","targetTemperatureC":21}""", "departureAt")]
    [InlineData("""{"departureAt":"2099-01-01T08:00:00","targetTemperatureC":21}""", "departureAt")]
    [InlineData("""{"departureAt":"tomorrow","targetTemperatureC":21}""", "departureAt")]
    [InlineData("""{"targetTemperatureC":21}""", "departureAt")]
    [InlineData("""{"departureAt":"{soon}","targetTemperatureC":30}""", "targetTemperatureC")]
    [InlineData("""{"departureAt":"{soon}","targetTemperatureC":15.9}""", "targetTemperatureC")]
    [InlineData("""{"departureAt":"{soon}"}""", "targetTemperatureC")]
    [InlineData("""{"departureAt":"{far}","targetTemperatureC":21}""", "departureAt")]
    public async Task A_bad_plan_request_is_a_400_that_names_the_field(string body, string field)
    {
        var owner = "pre-" + Guid.NewGuid().ToString("N")[..8];
        var vin = await silo.RegisteredCarWithTelemetryAsync(owner);
        body = body.Replace("{soon}", DateTimeOffset.UtcNow.AddHours(1).ToString("O")).Replace("{far}", DateTimeOffset.UtcNow.AddDays(30).ToString("O"));

        using var response = await silo.For(Identity.Owner, owner, vin).PutAsync($"/api/v1/vehicles/{vin}/preconditioning", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }
}
