using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace DigitalTwin.EndToEnd.Tests;

[Collection(SiloCollection.Name)]
public sealed class RegistrationTests(SiloFixture silo)
{
    [Fact]
    public async Task Registering_binds_a_VIN_to_its_owner_who_then_sees_its_twin()
    {
        var vin = Vins.Next("WDD2030461G");

        using var created = await silo.Operator().PostAsJsonAsync("/api/v1/vehicles", new { vin, ownerId = "alice-1" });
        var twin = await silo.For(Identity.Owner, "alice-1", vin).GetAsync($"/api/v1/vehicles/{vin}");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/api/v1/vehicles/{vin}", created.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, twin.StatusCode);
        var body = await twin.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, body.GetProperty("version").GetInt64());
        Assert.False(body.GetProperty("online").GetBoolean());
    }

    [Fact]
    public async Task Registering_again_for_the_same_owner_is_idempotent()
    {
        var vin = Vins.Next("WDD2030461G");
        await silo.RegisterAsync(vin, "bob-1");

        using var again = await silo.Operator().PostAsJsonAsync("/api/v1/vehicles", new { vin, ownerId = "bob-1" });

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task Registering_a_VIN_bound_to_someone_else_is_a_409_and_changes_nothing()
    {
        var vin = Vins.Next("WDD2030461G");
        await silo.RegisterAsync(vin, "carol-1");

        using var conflict = await silo.Operator().PostAsJsonAsync("/api/v1/vehicles", new { vin, ownerId = "mallory" });
        var stillCarols = await silo.For(Identity.Owner, "carol-1", vin).GetAsync($"/api/v1/vehicles/{vin}");
        var notMallorys = await silo.For(Identity.Owner, "mallory", vin).GetAsync($"/api/v1/vehicles/{vin}");

        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Equal("https://digitaltwin.dev/problems/conflict", (await conflict.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.OK, stillCarols.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, notMallorys.StatusCode);
    }

    [Theory]
    [InlineData("""{"vin":"WDD2030461A12345O","ownerId":"a"}""", "vin")]
    [InlineData("""{"vin":"WDD2030461G999999"}""", "ownerId")]
    [InlineData("""{"ownerId":"a"}""", "vin")]
    [InlineData("""{"vin":"WDD2030461G999999","ownerId":"   "}""", "ownerId")]
    [InlineData("""{"vin":"WDD2030461G999999","ownerId":"a\u0000b"}""", "ownerId")]
    public async Task A_bad_registration_is_a_400_with_field_errors(string body, string field)
    {
        using var response = await silo.Operator().PostAsync("/api/v1/vehicles", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task An_overlong_owner_id_is_refused()
    {
        using var response = await silo.Operator().PostAsJsonAsync("/api/v1/vehicles", new { vin = Vins.Next("WDD2030461G"), ownerId = new string('a', 300) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Listing_pages_by_VIN_with_a_cursor()
    {
        var owner = "pager-" + Guid.NewGuid().ToString("N")[..8];
        var vins = new[] { Vins.Next("WDD2030461H"), Vins.Next("WDD2030461H"), Vins.Next("WDD2030461H") };
        foreach (var vin in vins)
        {
            await silo.RegisterAsync(vin, owner);
        }

        var http = silo.For(Identity.Owner, owner, vins[0]);
        var first = await http.GetFromJsonAsync<JsonElement>("/api/v1/vehicles?limit=2");
        var next = first.GetProperty("next").GetString();
        var second = await http.GetFromJsonAsync<JsonElement>($"/api/v1/vehicles?limit=2&after={next}");

        Assert.Equal(vins[..2], first.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("vin").GetString()!).ToArray());
        Assert.Equal(vins[2], Assert.Single(second.GetProperty("items").EnumerateArray()).GetProperty("vin").GetString());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next").ValueKind);
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=101")]
    [InlineData("limit=abc")]
    [InlineData("after=not-a-vin")]
    public async Task Listing_refuses_bad_paging(string query)
    {
        using var response = await silo.Operator().GetAsync($"/api/v1/vehicles?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
