using DigitalTwin.Api.Auth;
using DigitalTwin.Api.Diagnostics;
using DigitalTwin.Api.Fleet;
using DigitalTwin.Api.Insights;
using DigitalTwin.Api.Operations;
using DigitalTwin.Api.Problems;
using DigitalTwin.Api.Road;
using DigitalTwin.Api.Streaming;
using DigitalTwin.Api.Vehicles;
using DigitalTwin.Security;
using DigitalTwin.Views;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Scalar.AspNetCore;

namespace DigitalTwin.Api;

public static class ApiExtensions
{
    public static IHostApplicationBuilder AddApi(this IHostApplicationBuilder builder)
    {
        builder.AddAuthOptions();
        builder.Services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IConfigureOptions<KestrelServerOptions>, KestrelLimits>();
        // The views' one JSON setting, also used by the Kafka records: GET and a vehicle-twins record agree byte for byte.
        builder.Services.ConfigureHttpJsonOptions(o => ViewJson.Configure(o.SerializerOptions));
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
        builder.Services.AddSingleton<FleetEventStream>();
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer<BearerSecurityTransformer>());
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddMeter(ApiMetrics.MeterName));
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

        var api = app.MapGroup("/api/v1");
        api.MapVehiclesApi();
        api.MapOperationsApi();
        api.MapRoadApi();
        api.MapInsightsApi();
        api.MapFleetApi();
        return app;
    }
}
