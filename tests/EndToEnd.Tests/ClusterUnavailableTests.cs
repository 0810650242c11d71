using System.Text.Json;
using DigitalTwin.Api.Problems;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace DigitalTwin.EndToEnd.Tests;

public sealed class ClusterUnavailableTests
{
    [Fact]
    public async Task A_grain_call_rejected_during_a_failover_is_a_503_with_Retry_After()
    {
        var (handler, http) = Arrange();

        var handled = await handler.TryHandleAsync(http, new SiloUnavailableException("S127.0.0.1:11111:1 is dead"), CancellationToken.None);

        Assert.True(handled);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, http.Response.StatusCode);
        Assert.Equal("1", http.Response.Headers.RetryAfter.ToString());
        http.Response.Body.Position = 0;
        using var problem = await JsonDocument.ParseAsync(http.Response.Body);
        Assert.Equal(ProblemTypes.Unavailable, problem.RootElement.GetProperty("type").GetString());
        Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task A_grain_call_that_timed_out_is_a_503_as_well()
    {
        var (handler, http) = Arrange();

        Assert.True(await handler.TryHandleAsync(http, new TimeoutException("Response did not arrive on time"), CancellationToken.None));
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, http.Response.StatusCode);
    }

    [Fact]
    public async Task A_caller_that_accepts_no_problem_json_still_gets_the_503_and_Retry_After()
    {
        var (handler, http) = Arrange();
        http.Request.Headers.Accept = "text/event-stream";

        Assert.True(await handler.TryHandleAsync(http, new SiloUnavailableException("S127.0.0.1:11111:1 is dead"), CancellationToken.None));
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, http.Response.StatusCode);
        Assert.Equal("1", http.Response.Headers.RetryAfter.ToString());
    }

    [Fact]
    public async Task Any_other_exception_is_left_to_the_500_handler()
    {
        var (handler, http) = Arrange();

        Assert.False(await handler.TryHandleAsync(http, new InvalidOperationException("a bug"), CancellationToken.None));
        Assert.Equal(StatusCodes.Status200OK, http.Response.StatusCode);
        Assert.Equal(0, http.Response.Body.Length);
    }

    private static (ClusterUnavailableExceptionHandler Handler, DefaultHttpContext Http) Arrange()
    {
        var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var http = new DefaultHttpContext { RequestServices = services };
        http.Request.Path = "/api/v1/vehicles/WDD2030461C000001";
        http.Response.Body = new MemoryStream();
        var handler = new ClusterUnavailableExceptionHandler(
            services.GetRequiredService<IProblemDetailsService>(),
            NullLogger<ClusterUnavailableExceptionHandler>.Instance);
        return (handler, http);
    }
}
