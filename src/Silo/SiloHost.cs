using System.Net;
using DigitalTwin.Api;
using DigitalTwin.Dashboard;
using DigitalTwin.Gateway;
using DigitalTwin.Gateway.Kafka;
using DigitalTwin.Grains;
using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Grains.Commands;
using DigitalTwin.Grains.Crash;
using DigitalTwin.Grains.FleetQuery;
using DigitalTwin.Grains.Insights;
using DigitalTwin.Grains.Preconditioning;
using DigitalTwin.Grains.Road;
using DigitalTwin.Grains.Storage;
using DigitalTwin.Persistence;
using DigitalTwin.Persistence.Snapshots;
using DigitalTwin.ServiceDefaults;
using DigitalTwin.Silo.Drain;
using DigitalTwin.Silo.Kubernetes;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Orleans.Configuration;

namespace DigitalTwin.Silo;

/// <summary>Composes one silo: Orleans, the MQTT gateway and the HTTP API. Tests build the same host.</summary>
public static class SiloHost
{
    public const string DefaultUrls = "http://0.0.0.0:8080";

    /// <summary>Orleans' ADO.NET providers load Npgsql by this invariant name.</summary>
    private const string PostgresInvariant = "Npgsql";

    /// <summary>The meter Orleans' own instruments (grains activated, messages...) are published on.</summary>
    private const string OrleansMeterName = "Microsoft.Orleans";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Content root is the build output so `dotnet run --project src/Silo` finds its appsettings from any directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultUrls);
        }

        configure?.Invoke(builder);

        // Process-wide: the metrics pipeline and Prometheus, health endpoints. Each module below adds its own meter and
        // readiness check to them.
        builder.AddServiceDefaults();
        // Storage is chosen here, once: PostgreSQL when ConnectionStrings:Postgres is set, memory otherwise. It goes
        // before Orleans on purpose: hosted services stop in reverse registration order, so the write-behind flushers
        // stop after the silo, whose grains stage their final snapshots while they deactivate. (The schema migration
        // does not depend on this order: it runs in StartingAsync, before any hosted service starts.)
        builder.AddStorage();
        builder.Services.AddSingleton<IStaleSnapshotObserver, StaleSnapshotReloader>();
        builder.AddGrains();
        builder.AddMqttGateway();
        builder.AddKafka();
        builder.AddApi();
        builder.AddFleetDashboard();
        builder.Services.AddHostedService<StartupBanner>();
        builder.Services.AddHostedService<CrashPathWarmup>();
        // Last, so that its StoppingAsync runs first (the host calls them in reverse order), before anything stops.
        builder.AddDrain();

        var app = builder.Build();
        app.MapApi();
        app.MapFleetDashboard();
        app.MapDefaultEndpoints();
        return app;
    }

    /// <summary>The graceful stop on SIGTERM (<see cref="SiloDrain"/>) and its <c>drain</c> readiness check.</summary>
    private static void AddDrain(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DrainOptions>().BindConfiguration(DrainOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DrainOptions>, DrainOptionsValidator>();
        builder.Services.AddSingleton<DrainState>();
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            "drain", sp => sp.GetRequiredService<DrainState>(), failureStatus: null, tags: [ServiceDefaultsExtensions.ReadinessTag]));
        builder.Services.AddHostedService<SiloDrain>();
    }

    /// <summary>Hazards:*, Traffic:* and FleetQuery:* (issue 18), each checked at start-up with the key in the message.</summary>
    private static void AddRoadOptions(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<HazardOptions>().BindConfiguration(HazardOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<TrafficOptions>().BindConfiguration(TrafficOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<FleetQueryOptions>().BindConfiguration(FleetQueryOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
    }

    private static void AddGrains(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SiloOptions>().BindConfiguration(SiloOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SiloOptions>, SiloOptionsValidator>();
        builder.Services.AddOptions<PersistenceOptions>().BindConfiguration(PersistenceOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddKeyedSingleton(DomainClock.Key, (sp, _) => sp.GetRequiredService<TimeProvider>());
        builder.Services.AddOptions<CommandPolicyOptions>().BindConfiguration(CommandPolicyOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<PreconditioningOptions>().BindConfiguration(PreconditioningOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<CrashDetectionOptions>().BindConfiguration(CrashDetectionOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.AddRoadOptions();
        builder.Services.AddOptions<TripOptions>().BindConfiguration(TripOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<InsightsOptions>().BindConfiguration(InsightsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

        var silo = builder.Configuration.GetSection(SiloOptions.SectionName).Get<SiloOptions>() ?? new SiloOptions();
        var inPod = PodHosting.IsEnabled(builder.Configuration, silo);
        if (inPod)
        {
            PodHosting.ApplyPodEnvironment(builder.Configuration, builder.Environment, silo);
            builder.Services.PostConfigure<SiloOptions>(o => PodHosting.Apply(builder.Configuration, o));
        }

        // Orleans binds its own providers from the "Orleans" section when given the configuration; the contract
        // gives that section other meanings (Orleans:Clustering = Localhost|AdoNet), so it is composed in code.
        var postgres = builder.Configuration.GetConnectionString(PersistenceExtensions.ConnectionStringName);
        builder.Services.AddOrleans(orleans =>
        {
            if (silo.Clustering == SiloOptions.AdoNet && !string.IsNullOrWhiteSpace(postgres))
            {
                orleans.UseAdoNetClustering(o =>
                {
                    o.Invariant = PostgresInvariant;
                    o.ConnectionString = postgres;
                });
                orleans.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = silo.ClusterId;
                    o.ServiceId = silo.ServiceId;
                });
                orleans.ConfigureEndpoints(IPAddress.Parse(silo.AdvertisedIPAddress), silo.SiloPort, silo.GatewayPort, listenOnAnyHostAddress: true);
                if (inPod)
                {
                    PodHosting.Use(orleans, silo);
                }
            }
            else
            {
                orleans.UseLocalhostClustering(silo.SiloPort, silo.GatewayPort, serviceId: silo.ServiceId, clusterId: silo.ClusterId);
            }

            // Preconditioning must fire even when the silo that planned it is gone: reminders live in PostgreSQL.
            if (!string.IsNullOrWhiteSpace(postgres))
            {
                orleans.UseAdoNetReminderService(o =>
                {
                    o.Invariant = PostgresInvariant;
                    o.ConnectionString = postgres;
                });
            }
            else
            {
                orleans.UseInMemoryReminderService();
            }

            orleans.Configure<GrainCollectionOptions>(o => o.CollectionAge = TimeSpan.FromMinutes(15));

            // Failure detection is a trade-off between false suspicions and failover time; operators tune it here.
            orleans.Services.Configure<ClusterMembershipOptions>(builder.Configuration.GetSection("Orleans:Membership"));
            // The pulling agent's default 100 ms poll would add up to 100 ms to every live update and alert on SSE.
            orleans.AddMemoryStreams(VehicleStreams.ProviderName, streams => streams.ConfigurePullingAgent(agent =>
                agent.Configure(o => o.GetQueueMsgsTimerPeriod = TimeSpan.FromMilliseconds(10))));
            orleans.AddMemoryGrainStorage("PubSubStore");
            if (builder.IsOrleansDashboardEnabled())
            {
                // Its profiler wraps every grain call: worth it on an operator's request, not by default.
                Orleans.Dashboard.ServiceCollectionExtensions.AddDashboard(orleans);
            }
        });
        builder.Services.AddHealthChecks().AddCheck<OrleansHealthCheck>("orleans", tags: [ServiceDefaultsExtensions.ReadinessTag]);
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddMeter(OrleansMeterName));
    }
}
