using System.Diagnostics.Metrics;
using DigitalTwin.Grains.Alerts;
using DigitalTwin.Grains.Commands;
using DigitalTwin.Grains.History;
using DigitalTwin.Grains.Ownership;
using DigitalTwin.Grains.Persistence;
using DigitalTwin.Persistence.Alerts;
using DigitalTwin.Persistence.Commands;
using DigitalTwin.Persistence.Diagnostics;
using DigitalTwin.Persistence.History;
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

namespace DigitalTwin.Persistence;

public static class PersistenceExtensions
{
    /// <summary>The name under <c>ConnectionStrings</c>: <c>ConnectionStrings:Postgres</c>.</summary>
    public const string ConnectionStringName = "Postgres";

    public const string ConnectionStringKey = "ConnectionStrings:" + ConnectionStringName;

    /// <summary>The key of this layer's <see cref="NpgsqlDataSource"/>, so that it cannot collide with anyone else's.</summary>
    public const string DataSourceKey = "DigitalTwin.Persistence";

    /// <summary>True when <c>ConnectionStrings:Postgres</c> is set, i.e. when the silo runs on PostgreSQL.</summary>
    public static bool IsPostgresConfigured(this IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration.GetConnectionString(ConnectionStringName));

    /// <summary>
    /// With <c>ConnectionStrings:Postgres</c> set: migrates the schema at start-up and replaces the in-memory
    /// <see cref="ITwinSnapshotStore"/> with the write-behind PostgreSQL store; adds signal history
    /// (<see cref="ISignalHistoryWriter"/>, <see cref="ISignalHistoryReader"/>, retention), the <c>postgres</c> health
    /// check (tag <c>ready</c>) and the <see cref="PersistenceMetrics.MeterName"/> meter. Also replaces the grains'
    /// <see cref="ISignalHistory"/>, <see cref="IVehicleRegistry"/>, <see cref="IAlertStore"/> and
    /// <see cref="ICommandStore"/> with their PostgreSQL implementations. Without it, does nothing.
    /// Call it after the in-memory stores are registered, so that these registrations are the ones that count.
    /// </summary>
    public static IHostApplicationBuilder AddPostgresPersistence(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!builder.Configuration.IsPostgresConfigured())
        {
            return builder;
        }

        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(PostgresTwinSnapshotStore)))
        {
            return builder;
        }

        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName)!;
        ValidateConnectionString(connectionString);

        services.AddOptions<PostgresPersistenceOptions>()
            .BindConfiguration(PostgresPersistenceOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        // The silo binds these as well; binding twice is harmless and lets this layer stand alone (tests, tools).
        services.AddOptions<PersistenceOptions>()
            .BindConfiguration(PersistenceOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
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

        services.AddSingleton<PostgresTwinSnapshotStore>();
        services.RemoveAll<ITwinSnapshotStore>();
        services.AddSingleton<ITwinSnapshotStore>(provider => provider.GetRequiredService<PostgresTwinSnapshotStore>());
        services.AddSingleton<SnapshotFlusher>();

        services.AddSingleton<SignalHistoryWriter>();
        services.AddSingleton<ISignalHistoryWriter>(provider => provider.GetRequiredService<SignalHistoryWriter>());
        services.AddSingleton<SignalHistoryFlusher>();
        services.AddSingleton<ISignalHistoryReader, SignalHistoryReader>();
        services.AddSingleton<SignalHistoryRetention>();

        // The grains' seams. Registry, alerts and commands write synchronously (durable when the call returns); history
        // goes through the write-behind writer above.
        services.RemoveAll<ISignalHistory>();
        services.AddSingleton<ISignalHistory, PostgresSignalHistory>();
        services.RemoveAll<IVehicleRegistry>();
        services.AddSingleton<IVehicleRegistry, PostgresVehicleRegistry>();
        services.RemoveAll<IAlertStore>();
        services.AddSingleton<IAlertStore, PostgresAlertStore>();
        services.RemoveAll<ICommandStore>();
        services.AddSingleton<ICommandStore, PostgresCommandStore>();

        // Hosted services start in registration order and stop in reverse. Going first means the schema exists before
        // Orleans (including ADO.NET clustering) or the gateways start, and the flushers stop last: after the silo has
        // deactivated its grains, whose final snapshots are then written. Inserting makes that independent of where
        // the host calls this method.
        services.Insert(0, HostedService<SchemaMigrationService>());
        services.Insert(1, HostedService<SnapshotFlusher>());
        services.Insert(2, HostedService<SignalHistoryFlusher>());
        services.Insert(3, HostedService<SignalHistoryRetention>());

        services.AddHealthChecks().AddCheck<PersistenceHealthCheck>(PersistenceHealthCheck.Name, tags: ["ready"]);
        return builder;
    }

    private static ServiceDescriptor HostedService<T>()
        where T : class, IHostedService =>
        ServiceDescriptor.Singleton<IHostedService>(provider => provider.GetRequiredService<T>());

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
