using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;

namespace DigitalTwin.ServiceDefaults;

/// <summary>
/// What every DigitalTwin host has, whatever modules it composes: OpenTelemetry metrics exported for Prometheus on
/// <c>/metrics</c>, liveness on <c>/healthz</c> and readiness on <c>/readyz</c>. Each module registers its own meter
/// (<c>ConfigureOpenTelemetryMeterProvider</c>) and health checks (tagged <see cref="ReadinessTag"/>); this pipeline
/// exports and runs whatever they registered.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>The tag of the health checks <c>/readyz</c> runs.</summary>
    public const string ReadinessTag = "ready";

    /// <summary>Liveness: answers while the process runs; Kubernetes' livenessProbe.</summary>
    public const string LivenessPath = "/healthz";

    /// <summary>Readiness: every check tagged <see cref="ReadinessTag"/>; Kubernetes' readinessProbe and startupProbe.</summary>
    public const string ReadinessPath = "/readyz";

    /// <summary>Prometheus scraping endpoint.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>The platform's own meters: ASP.NET Core's requests and the .NET runtime.</summary>
    private static readonly string[] PlatformMeters = ["Microsoft.AspNetCore.Hosting", "System.Runtime"];

    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddMetrics();
        builder.Services.AddHealthChecks();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(PlatformMeters)
            .AddPrometheusExporter());
        return builder;
    }

    /// <summary><c>/healthz</c> (the process answers; runs no check), <c>/readyz</c> (every check tagged <see cref="ReadinessTag"/>) and <c>/metrics</c>.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks(LivenessPath, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthResponseWriter.WriteAsync });
        app.MapHealthChecks(ReadinessPath, new HealthCheckOptions
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
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        return app;
    }
}
