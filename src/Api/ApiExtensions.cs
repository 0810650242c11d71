using DigitalTwin.Api.Auth;
using DigitalTwin.Api.Diagnostics;
using DigitalTwin.Api.Health;
using DigitalTwin.Api.Operations;
using DigitalTwin.Api.Problems;
using DigitalTwin.Api.Streaming;
using DigitalTwin.Api.Vehicles;
using DigitalTwin.Gateway.Diagnostics;
using DigitalTwin.Security;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Scalar.AspNetCore;

namespace DigitalTwin.Api;

public static class ApiExtensions
{
    public const string ReadinessTag = "ready";

    public static IHostApplicationBuilder AddApi(this IHostApplicationBuilder builder)
    {
        builder.AddAuthOptions();
        builder.Services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IConfigureOptions<KestrelServerOptions>, KestrelLimits>();
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ProblemDetailsSetup.Customize);
        builder.Services.AddExceptionHandler<ClusterUnavailableExceptionHandler>();

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddSingleton<IPostConfigureOptions<JwtBearerOptions>, AuthenticationSetup>();
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Person, p => p.RequireAuthenticatedUser().RequireAssertion(c => !c.User.HasClaim(Roles.ClaimType, Roles.Vehicle)))
            .AddPolicy(Policies.Operator, p => p.RequireAuthenticatedUser().RequireClaim(Roles.ClaimType, Roles.Operator));
        builder.Services.AddApiRateLimiting();

        builder.Services.AddSingleton<ApiMetrics>();
        builder.Services.AddSingleton<VehicleEventStream>();
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer<BearerSecurityTransformer>());
        builder.Services.AddHealthChecks()
            .AddCheck<OrleansHealthCheck>("orleans", tags: [ReadinessTag])
            .AddCheck<MqttBrokerHealthCheck>("mqtt", tags: [ReadinessTag]);
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(GatewayMetrics.MeterName, ApiMetrics.MeterName, "DigitalTwin.Persistence", "Microsoft.Orleans", "Microsoft.AspNetCore.Hosting", "System.Runtime")
            .AddPrometheusExporter());
        return builder;
    }

    public static WebApplication MapApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();

        app.MapOpenApi().AllowAnonymous();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference();
        }

        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthResponseWriter.WriteAsync });
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains(ReadinessTag),
            ResponseWriter = HealthResponseWriter.WriteAsync,
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status200OK,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
        app.MapPrometheusScrapingEndpoint("/metrics");

        var api = app.MapGroup("/api/v1");
        api.MapVehiclesApi();
        api.MapOperationsApi();
        return app;
    }
}
