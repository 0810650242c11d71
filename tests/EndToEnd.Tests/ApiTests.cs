using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using DigitalTwin.Security;

namespace DigitalTwin.EndToEnd.Tests;

[Collection(SiloCollection.Name)]
public sealed class ApiTests(SiloFixture silo)
{
    [Fact]
    public async Task Health_answers_without_a_token()
    {
        var response = await silo.Http().GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_request_without_a_token_gets_401_problem_details()
    {
        var response = await silo.Http().GetAsync($"/api/v1/vehicles/{Vins.Next()}");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_token_signed_with_another_key_gets_401()
    {
        var http = silo.Http();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            new TokenIssuer("an-attacker-key-that-is-also-long-enough-for-hs256").Mint("ops-1", Roles.Operator, TimeSpan.FromHours(1)));

        var response = await http.GetAsync($"/api/v1/vehicles/{Vins.Next()}");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_vehicle_token_is_not_a_key_to_the_API()
    {
        var vin = Vins.Next();
        var http = silo.Http();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", silo.Tokens.Mint(vin, Roles.Vehicle, TimeSpan.FromHours(1)));

        var response = await http.GetAsync($"/api/v1/vehicles/{vin}");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData("WDD2030461A12345O", "never contains 'O'")]
    [InlineData("SHORT", "has 5")]
    [InlineData("wdd2030461a123456", "upper case")]
    public async Task A_malformed_VIN_gets_400_with_the_reason(string vin, string reason)
    {
        var response = await silo.Operator().GetAsync($"/api/v1/vehicles/{vin}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(reason, problem.GetProperty("errors").GetProperty("vin")[0].GetString());
        Assert.Equal("https://digitaltwin.dev/problems/validation", problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_vehicle_that_never_reported_is_404_problem_details()
    {
        var response = await silo.Operator().GetAsync($"/api/v1/vehicles/{Vins.Next()}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_vehicle_that_is_not_the_callers_answers_exactly_like_one_that_does_not_exist()
    {
        var vin = Vins.Next();
        await using (var car = silo.Car(vin))
        {
            await car.ConnectAsync();
            await car.TelemetryAsync(1, """{"Vehicle.Speed":1}""");
        }

        var existing = await silo.Http("someone-else").GetAsync($"/api/v1/vehicles/{vin}");
        var missing = await silo.Http("someone-else").GetAsync($"/api/v1/vehicles/{Vins.Next()}");

        Assert.Equal(HttpStatusCode.NotFound, existing.StatusCode);
        Assert.Equal(missing.StatusCode, existing.StatusCode);
        var a = await existing.Content.ReadFromJsonAsync<JsonElement>();
        var b = await missing.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(b.GetProperty("title").GetString(), a.GetProperty("title").GetString());
        Assert.Equal(b.GetProperty("detail").GetString(), a.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Dead_letters_are_for_operators_only()
    {
        var response = await silo.Http("user-1").GetAsync("/api/v1/operations/dead-letters");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1001")]
    [InlineData("-5")]
    public async Task Dead_letter_paging_is_bounded(string limit)
    {
        var response = await silo.Operator().GetAsync($"/api/v1/operations/dead-letters?limit={limit}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("/api/v1/operations/dead-letters?limit=0", "limit must be between 1 and 1000")]
    [InlineData("/api/v1/vehicles?limit=101", "limit must be between 1 and 100")]
    [InlineData("/api/v1/vehicles/{vin}/alerts?limit=0", "limit must be between 1 and 100")]
    [InlineData("/api/v1/vehicles/{vin}/telemetry?signal=Vehicle.Speed&limit=0", "limit must be between 1 and 10000")]
    public async Task Every_paged_list_answers_a_bad_limit_with_the_same_validation_problem(string path, string message)
    {
        var vin = Vins.Next();
        await silo.RegisterAsync(vin, "pager-" + Guid.NewGuid().ToString("N")[..8]);

        var response = await silo.Operator().GetAsync(path.Replace("{vin}", vin, StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("https://digitaltwin.dev/problems/validation", problem.GetProperty("type").GetString());
        Assert.Equal(message, Assert.Single(problem.GetProperty("errors").GetProperty("limit").EnumerateArray()).GetString());
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_routes()
    {
        var doc = await silo.Http().GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var paths = doc.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/v1/vehicles/{vin}", out _));
        Assert.True(paths.TryGetProperty("/api/v1/operations/dead-letters", out _));
    }
}
