using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DigitalTwin.Api.Problems;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace DigitalTwin.EndToEnd.Tests;

[Collection(SiloCollection.Name)]
public sealed class HardeningTests(SiloFixture silo)
{
    [Fact]
    public void A_grain_call_rejected_during_a_failover_is_answered_by_the_503_handler()
    {
        Assert.Contains(silo.Services.GetServices<IExceptionHandler>(), h => h is ClusterUnavailableExceptionHandler);
    }

    [Fact]
    public async Task An_oversized_body_is_a_413_problem()
    {
        var body = "{\"vin\":\"WDD2030461A123456\",\"ownerId\":\"" + new string('a', 100_000) + "\"}";

        using var response = await silo.Operator().PostAsync("/api/v1/vehicles", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[1,2,3]")]
    [InlineData("")]
    [InlineData("{\"vin\":42,\"ownerId\":true}")]
    public async Task A_malformed_body_is_a_400_problem(string body)
    {
        using var response = await silo.Operator().PostAsync("/api/v1/vehicles", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_body_that_is_not_JSON_is_a_415_problem()
    {
        using var response = await silo.Operator().PostAsync("/api/v1/vehicles", new StringContent("vin=x", Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_unknown_route_is_a_404_problem_with_a_stable_type()
    {
        using var response = await silo.Operator().GetAsync("/api/v1/nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("https://digitaltwin.dev/problems/not-found", problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_wrong_method_is_a_405_problem()
    {
        using var response = await silo.Operator().DeleteAsync($"/api/v1/vehicles/{Vins.Next()}");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_caller_over_its_rate_gets_429_with_retry_after_and_others_are_unaffected()
    {
        using var flooder = silo.Http("flooder-" + Guid.NewGuid().ToString("N")[..8]);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 400 && !statuses.Contains(HttpStatusCode.TooManyRequests); i++)
        {
            using var r = await flooder.GetAsync("/api/v1/vehicles");
            statuses.Add(r.StatusCode);
            if (r.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.True(r.Headers.Contains("Retry-After"));
                Assert.Equal("https://digitaltwin.dev/problems/rate-limited", (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
            }
        }

        using var bystander = await silo.Http("bystander-" + Guid.NewGuid().ToString("N")[..8]).GetAsync("/api/v1/vehicles");

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.Equal(HttpStatusCode.OK, bystander.StatusCode);
    }

    [Fact]
    public async Task Readiness_reports_each_dependency()
    {
        var ready = await silo.Http().GetFromJsonAsync<JsonElement>("/readyz");

        Assert.Equal("Healthy", ready.GetProperty("status").GetString());
        Assert.Equal("Healthy", ready.GetProperty("checks").GetProperty("orleans").GetProperty("status").GetString());
        Assert.Equal("Healthy", ready.GetProperty("checks").GetProperty("mqtt").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Metrics_are_Prometheus_text_with_ingest_counters_and_latency()
    {
        await using (var car = silo.Car(Vins.Next()))
        {
            await car.ConnectAsync();
            await car.TelemetryAsync(1, """{"Vehicle.Speed":1}""");
        }

        var text = await Poll.UntilAsync(
            () => silo.Http().GetStringAsync("/metrics"),
            t => t.Contains("digitaltwin_mqtt_messages_total") && t.Contains("digitaltwin_ingest_duration_milliseconds_bucket"));

        Assert.Contains("outcome=\"applied\"", text);
        Assert.Contains("digitaltwin_mqtt_connections_total", text);
    }

    [Fact]
    public async Task The_OpenAPI_document_is_valid_and_describes_every_route_with_its_errors()
    {
        await using var stream = await silo.Http().GetStreamAsync("/openapi/v1.json");
        var (document, diagnostic) = await OpenApiDocument.LoadAsync(stream, "json", new OpenApiReaderSettings());

        Assert.NotNull(document);
        Assert.Empty(diagnostic!.Errors);
        var expected = new[]
        {
            ("/api/v1/vehicles", HttpMethod.Get),
            ("/api/v1/vehicles", HttpMethod.Post),
            ("/api/v1/vehicles/{vin}", HttpMethod.Get),
            ("/api/v1/vehicles/{vin}/telemetry", HttpMethod.Get),
            ("/api/v1/vehicles/{vin}/stream", HttpMethod.Get),
            ("/api/v1/operations/dead-letters", HttpMethod.Get),
        };
        foreach (var (path, method) in expected)
        {
            Assert.True(document!.Paths.TryGetValue(path, out var item), path);
            var operation = item!.Operations![method];
            Assert.Contains("401", operation.Responses!.Keys);
            Assert.Contains("429", operation.Responses.Keys);
        }

        Assert.Contains("Bearer", document!.Components!.SecuritySchemes!.Keys);
    }
}
