using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace DigitalTwin.EndToEnd.Tests;

[Collection(SiloCollection.Name)]
public sealed class HistoryTests(SiloFixture silo)
{
    [Fact]
    public async Task The_history_of_a_signal_lists_its_points_in_the_range_oldest_first()
    {
        var owner = "hist-" + Guid.NewGuid().ToString("N")[..8];
        var vin = Vins.Next("WDD2030461K");
        await silo.RegisterAsync(vin, owner);
        await using (var car = silo.Car(vin))
        {
            await car.ConnectAsync();
            await car.TelemetryAsync(1, """{"Vehicle.Speed":10}""", ts: 1764028800000);
            await car.TelemetryAsync(2, """{"Vehicle.Speed":20,"Vehicle.TraveledDistance":1}""", ts: 1764028801000);
            await car.TelemetryAsync(3, """{"Vehicle.Speed":30}""", ts: 1764028802000);
        }

        var all = await silo.For(Identity.Owner, owner, vin).GetFromJsonAsync<JsonElement>(
            $"/api/v1/vehicles/{vin}/telemetry?signal=Vehicle.Speed&from=2025-11-25T00:00:00Z&to=2025-11-25T00:00:01Z");
        var window = await silo.For(Identity.Owner, owner, vin).GetFromJsonAsync<JsonElement>(
            $"/api/v1/vehicles/{vin}/telemetry?signal=Vehicle.Speed&from=2025-11-25T00:00:00.500Z&to=2025-11-25T00:00:02Z&limit=1");

        Assert.Equal(new[] { 10.0, 20.0 }, all.GetProperty("points").EnumerateArray().Select(p => p.GetProperty("value").GetDouble()));
        Assert.Equal(1764028801000, Assert.Single(window.GetProperty("points").EnumerateArray()).GetProperty("ts").GetInt64());
    }

    [Theory]
    [InlineData("", "signal")]
    [InlineData("signal=Speed", "signal")]
    [InlineData("signal=Vehicle.Speed&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "from")]
    [InlineData("signal=Vehicle.Speed&limit=0", "limit")]
    [InlineData("signal=Vehicle.Speed&limit=100001", "limit")]
    public async Task Bad_history_queries_are_400_with_the_field(string query, string field)
    {
        var owner = "hist-" + Guid.NewGuid().ToString("N")[..8];
        var vin = Vins.Next("WDD2030461K");
        await silo.RegisterAsync(vin, owner);

        using var response = await silo.For(Identity.Owner, owner, vin).GetAsync($"/api/v1/vehicles/{vin}/telemetry?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task An_unparseable_date_is_a_400()
    {
        var owner = "hist-" + Guid.NewGuid().ToString("N")[..8];
        var vin = Vins.Next("WDD2030461K");
        await silo.RegisterAsync(vin, owner);

        using var response = await silo.For(Identity.Owner, owner, vin).GetAsync($"/api/v1/vehicles/{vin}/telemetry?signal=Vehicle.Speed&from=yesterday");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
