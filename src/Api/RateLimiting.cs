using System.Globalization;
using System.Threading.RateLimiting;
using DigitalTwin.Api.Auth;
using DigitalTwin.Api.Problems;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Api;

/// <summary>Per-caller limits: a token bucket for every request, and a cap on open SSE streams.</summary>
internal static class RateLimiting
{
    public const string StreamsPolicy = "streams";

    public static IServiceCollection AddApiRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            {
                var options = http.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value;
                return RateLimitPartition.GetTokenBucketLimiter(Caller(http), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.RequestBurst,
                    TokensPerPeriod = options.RequestsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            limiter.AddPolicy(StreamsPolicy, http =>
            {
                var options = http.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value;
                return RateLimitPartition.GetConcurrencyLimiter(Caller(http), _ => new ConcurrencyLimiterOptions
                {
                    PermitLimit = options.MaxStreamsPerCaller,
                    QueueLimit = 0,
                });
            });
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }

                await TypedResults.Problem(
                    title: "Too many requests",
                    detail: "This caller is over its request rate or its number of open streams; retry later.",
                    statusCode: StatusCodes.Status429TooManyRequests,
                    type: ProblemTypes.RateLimited).ExecuteAsync(context.HttpContext);
            };
        });
        return services;
    }

    /// <summary>Authenticated callers are limited by their <c>sub</c>, everyone else by address.</summary>
    private static string Caller(HttpContext http) =>
        http.User.Subject() is { } sub ? "sub:" + sub : "ip:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
}
