using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace DigitalTwin.EndToEnd.Tests;

[Collection(SiloCollection.Name)]
public sealed class FleetQueryEndToEndTests(SiloFixture silo)
{
    private const string Soc = "Vehicle.Powertrain.TractionBattery.StateOfCharge.Current";

    private async Task<string> CarAsync(string owner, double soc, double lat, double lon)
    {
        var vin = Vins.Next("WDD2030461F");
        await silo.RegisterAsync(vin, owner);
        await using var car = silo.Car(vin);
        await car.ConnectAsync();
        Assert.True((await car.TelemetryAsync(1, string.Create(CultureInfo.InvariantCulture, $$"""{"{{Soc}}":{{soc}},"Vehicle.CurrentLocation.Latitude":{{lat}},"Vehicle.CurrentLocation.Longitude":{{lon}}}"""))).IsSuccess);
        return vin;
    }

    private static async Task<List<string>> VinsAsync(HttpClient http, string query) =>
        (await http.GetFromJsonAsync<JsonElement>($"/api/v1/vehicles?{query}")).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("vin").GetString()!).ToList();

    [Fact]
    public async Task An_owner_finds_their_low_battery_cars_from_the_index_and_never_anyone_elses()
    {
        var owner = "fleet-" + Guid.NewGuid().ToString("N")[..8];
        var low = await CarAsync(owner, 15, 52.52, 13.40);
        var high = await CarAsync(owner, 80, 52.52, 13.40);
        var foreign = await CarAsync(owner + "-other", 5, 52.52, 13.40);
        var http = silo.Http(owner);
        var filter = Uri.EscapeDataString($"{Soc}<20");

        var found = await Poll.UntilAsync(() => VinsAsync(http, $"filter={filter}"), v => v.Count > 0);
        var page = await http.GetFromJsonAsync<JsonElement>($"/api/v1/vehicles?filter={filter}");

        Assert.Equal([low], found);
        Assert.Equal(15, page.GetProperty("items")[0].GetProperty("signals").GetProperty(Soc).GetDouble());
        Assert.Equal(owner, page.GetProperty("items")[0].GetProperty("ownerId").GetString());
        Assert.DoesNotContain(foreign, found);
        Assert.Contains(high, await Poll.UntilAsync(() => VinsAsync(http, $"filter={Uri.EscapeDataString($"{Soc}>=20")}"), v => v.Count > 0));
    }

    [Fact]
    public async Task An_operator_queries_the_whole_fleet_by_bounding_box_and_online_state_page_by_page()
    {
        var owner = "fleet-" + Guid.NewGuid().ToString("N")[..8];
        var (lat, lon) = (-33.86 + (Random.Shared.NextDouble() * 0.01), 151.2 + (Random.Shared.NextDouble() * 0.01));
        var vins = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            vins.Add(await CarAsync(owner, 50, lat, lon));
        }

        var ops = silo.Operator();
        var bbox = string.Create(CultureInfo.InvariantCulture, $"{lon - 0.001},{lat - 0.001},{lon + 0.001},{lat + 0.001}");

        var all = await Poll.UntilAsync(() => VinsAsync(ops, $"bbox={bbox}"), v => v.Count == 3);
        var first = await ops.GetFromJsonAsync<JsonElement>($"/api/v1/vehicles?bbox={bbox}&limit=2");
        var next = first.GetProperty("next").GetString();
        var second = await VinsAsync(ops, $"bbox={bbox}&limit=2&after={next}");

        Assert.Equal(vins.Order(StringComparer.Ordinal), all);
        Assert.Equal(2, first.GetProperty("items").GetArrayLength());
        Assert.Equal([vins.Max(StringComparer.Ordinal)!], second);
        // The cars connected, sent and disconnected: the index saw them go offline.
        Assert.Empty(await Poll.UntilAsync(() => VinsAsync(ops, $"bbox={bbox}&online=true"), v => v.Count == 0));
    }

    [Theory]
    [InlineData("filter=Vehicle.Speed%3C", "filter")]
    [InlineData("filter=Speed%3C20", "filter")]
    [InlineData("filter=Vehicle.Speed%3C20%20or%20Vehicle.Speed%3E100", "filter")]
    [InlineData("filter=Vehicle.Speed%3C20%3B%20DROP%20TABLE%20vehicle_owners", "filter")]
    [InlineData("bbox=1,2,3", "bbox")]
    public async Task A_bad_fleet_query_is_a_400_that_names_the_parameter(string query, string field)
    {
        using var response = await silo.Operator().GetAsync($"/api/v1/vehicles?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task A_huge_filter_is_a_400_not_a_slow_answer()
    {
        var huge = Uri.EscapeDataString(string.Join(" and ", Enumerable.Repeat("Vehicle.Speed<20", 200)));

        using var response = await silo.Operator().GetAsync($"/api/v1/vehicles?filter={huge}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
