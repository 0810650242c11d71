using System.Diagnostics.Metrics;
using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Grains.Storage;
using DigitalTwin.Persistence.Alerts;
using DigitalTwin.Persistence.Commands;
using DigitalTwin.Persistence.Diagnostics;
using DigitalTwin.Persistence.History;
using DigitalTwin.Persistence.Insights;
using DigitalTwin.Persistence.Migrations;
using DigitalTwin.Persistence.Ownership;
using DigitalTwin.Persistence.Snapshots;
using DigitalTwin.Persistence.WriteBehind;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Metrics;

namespace DigitalTwin.Persistence;

public static class PersistenceExtensions
{
    /// <summary>The name under <c>ConnectionStrings</c>: <c>ConnectionStrings:Postgres</c>.</summary>
    public const string ConnectionStringName = "Postgres";

    public const string ConnectionStringKey = "ConnectionStrings:" + ConnectionStringName;

    /// <summary>The key of this layer's <see cref="NpgsqlDataSource"/>, so that it cannot collide with anyone else's.</summary>
    public const string DataSourceKey = "DigitalTwin.Persistence";

    /// <summary>The tag of the checks <c>/readyz</c> runs (ServiceDefaults).</summary>
    private const string ReadinessTag = "ready";

    /// <summary>True when <c>ConnectionStrings:Postgres</c> is set, i.e. when the silo runs on PostgreSQL.</summary>
    public static bool IsPostgresConfigured(this IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration.GetConnectionString(ConnectionStringName));

    /// <summary>
    /// Every storage seam of the grains on PostgreSQL (<c>ConnectionStrings:Postgres</c>, which must be set): the
    /// write-behind <see cref="ITwinSnapshotStore"/>, signal history (<see cref="ISignalHistoryWriter"/>,
    /// <see cref="ISignalHistoryReader"/>, retention), <see cref="IVehicleRegistry"/>, <see cref="IAlertStore"/> and
    /// <see cref="ICommandStore"/>; the schema migration at start-up; this layer's <c>postgres</c> health check (tag
    /// <c>ready</c>) and its <see cref="PersistenceMetrics.MeterName"/> meter. A host calls this or
    /// <see cref="StorageServiceCollectionExtensions.AddInMemoryStorage"/>, never both (see <see cref="StorageSelection"/>).
    /// </summary>
    /// <remarks>
    /// Start and stop order: the schema is migrated in <see cref="SchemaMigrationService"/>'s
    /// <see cref="IHostedLifecycleService.StartingAsync"/>, which the host runs for every hosted service before it starts
    /// any of them, so the schema exists before Orleans (ADO.NET clustering and reminders), the broker or the HTTP
    /// server start, wherever this is called. The write-behind flushers write what is still pending when they stop;
    /// hosted services stop in reverse registration order, so the host registers storage before Orleans, whose grains
    /// stage their final snapshots while they deactivate.
    /// </remarks>
    public static IHostApplicationBuilder AddPostgresStorage(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new OptionsValidationException(ConnectionStringKey, typeof(string), [$"{ConnectionStringKey} is required for PostgreSQL storage"]);
        }

        ValidateConnectionString(connectionString);

        var services = builder.Services;
        services.AddOptions<PostgresPersistenceOptions>()
            .BindConfiguration(PostgresPersistenceOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();

        services.AddKeyedSingleton(DataSourceKey, (provider, _) =>
            new NpgsqlDataSourceBuilder(connectionString)
                .UseLoggerFactory(provider.GetRequiredService<ILoggerFactory>())
                .Build());
        services.TryAddSingleton(provider => new PersistenceMetrics(provider.GetRequiredService<IMeterFactory>()));
        services.TryAddSingleton<PersistenceHealth>();
        services.TryAddSingleton<BulkWriteGate>();
        services.AddSingleton<SchemaMigrator>();
        services.AddSingleton<SchemaMigrationService>();
        services.AddHostedService(provider => provider.GetRequiredService<SchemaMigrationService>());

        services.AddSingleton<PostgresTwinSnapshotStore>();
        services.AddSingleton<ITwinSnapshotStore>(provider => provider.GetRequiredService<PostgresTwinSnapshotStore>());
        services.AddSingleton<SnapshotFlusher>();
        services.AddHostedService(provider => provider.GetRequiredService<SnapshotFlusher>());

        // History goes through the write-behind writer; registry, alerts and commands write synchronously (durable when
        // the call returns).
        services.AddSingleton<SignalHistoryWriter>();
        services.AddSingleton<ISignalHistoryWriter>(provider => provider.GetRequiredService<SignalHistoryWriter>());
        services.AddSingleton<SignalHistoryFlusher>();
        services.AddHostedService(provider => provider.GetRequiredService<SignalHistoryFlusher>());
        services.AddSingleton<ISignalHistoryReader, SignalHistoryReader>();
        services.AddSingleton<SignalHistoryPartitions>();
        services.AddSingleton<SignalHistoryRetention>();
        services.AddHostedService(provider => provider.GetRequiredService<SignalHistoryRetention>());
        services.AddSingleton<IVehicleRegistry, PostgresVehicleRegistry>();
        services.AddSingleton<IAlertStore, PostgresAlertStore>();
        services.AddSingleton<ICommandStore, PostgresCommandStore>();
        services.AddSingleton<ITripStore, PostgresTripStore>();
        // Not storage, but a seam every twin needs as well: a host with Kafka replaces it (AddKafka).
        services.TryAddSingleton<IVehicleChangeFeed>(NoVehicleChangeFeed.Instance);

        services.AddHealthChecks().AddCheck<PersistenceHealthCheck>(PersistenceHealthCheck.Name, tags: [ReadinessTag]);
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddMeter(PersistenceMetrics.MeterName));
        return builder;
    }

    private static void ValidateConnectionString(string connectionString)
    {
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            // The message names the key and the problem, never the value: it may hold a password.
            throw new OptionsValidationException(
                ConnectionStringKey,
                typeof(string),
                [$"{ConnectionStringKey} is not a valid PostgreSQL connection string: {ex.Message}"]);
        }
    }
}
