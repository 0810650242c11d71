using DigitalTwin.Grains.Storage;
using DigitalTwin.Persistence.Diagnostics;
using DigitalTwin.Persistence.History;
using DigitalTwin.Persistence.Snapshots;
using DigitalTwin.Persistence.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Persistence.Tests;

[Collection(PostgresCollection.Name)]
public sealed class PersistenceHostingTests(PostgresFixture postgres)
{
    [Fact]
    public void Without_a_connection_string_the_in_memory_store_stays_and_nothing_else_is_added()
    {
        var builder = NewBuilder(connectionString: null);

        builder.AddStorage();

        using var host = builder.Build();
        Assert.IsType<InMemoryTwinSnapshotStore>(host.Services.GetRequiredService<ITwinSnapshotStore>());
        Assert.Null(host.Services.GetService<SignalHistoryWriter>());
        Assert.DoesNotContain(builder.Services, d => d.ServiceType == typeof(PostgresTwinSnapshotStore));
    }

    [Fact]
    public void A_malformed_connection_string_is_refused_naming_the_key_but_not_the_secret()
    {
        var builder = NewBuilder("Host=db;Password=hunter2;Colour=blue");

        var error = Assert.Throws<OptionsValidationException>(() => builder.AddStorage());

        Assert.Contains("ConnectionStrings:Postgres", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_persistence_setting_stops_start_up_naming_the_key()
    {
        var builder = NewBuilder(await postgres.CreateEmptyDatabaseAsync("bad_setting"), ("Persistence:MaxPendingSnapshots", "0"));
        builder.AddStorage();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Persistence:MaxPendingSnapshots", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_schema_exists_before_any_other_hosted_service_starts_even_one_registered_earlier()
    {
        var connectionString = await postgres.CreateEmptyDatabaseAsync("hosting_order");
        var builder = NewBuilder(connectionString);
        var probe = new SchemaProbe(connectionString);
        builder.Services.AddSingleton<IHostedService>(probe);

        builder.AddStorage();
        using var host = builder.Build();
        await host.StartAsync();
        await host.StopAsync();

        Assert.True(probe.SawSchema);
    }

    [Fact]
    public async Task Stopping_the_host_writes_what_was_staged_and_readiness_reports_postgres()
    {
        var connectionString = await postgres.CreateEmptyDatabaseAsync("hosting_stop");
        // Far longer than the test: only the shutdown flush can write the snapshot.
        var builder = NewBuilder(connectionString, ("Persistence:FlushInterval", "00:10:00"));
        builder.AddStorage();
        using var host = builder.Build();
        await host.StartAsync();
        var vin = TestVins.Next();

        var store = host.Services.GetRequiredService<ITwinSnapshotStore>();
        store.Stage(TestSnapshots.Of(vin, version: 12));
        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Tags.Contains("ready"));
        await host.StopAsync();

        Assert.IsType<PostgresTwinSnapshotStore>(store);
        Assert.Equal(HealthStatus.Healthy, health.Entries[PersistenceHealthCheck.Name].Status);
        Assert.Equal(12L, await Sql.ScalarAsync<long>(connectionString, "SELECT version FROM vehicle_snapshots WHERE vin = $1", vin));
    }

    private static HostApplicationBuilder NewBuilder(string? connectionString, params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var values = settings.ToDictionary(s => s.Key, s => (string?)s.Value);
        values["ConnectionStrings:Postgres"] = connectionString;
        builder.Configuration.AddInMemoryCollection(values);
        // What the silo binds itself; the storage is chosen by AddStorage.
        builder.Services.AddOptions<PersistenceOptions>().BindConfiguration(PersistenceOptions.SectionName);
        return builder;
    }

    private sealed class SchemaProbe(string connectionString) : IHostedService
    {
        public bool SawSchema { get; private set; }

        public async Task StartAsync(CancellationToken cancellationToken) =>
            SawSchema = await Sql.ScalarAsync<bool>(connectionString, "SELECT to_regclass('vehicle_snapshots') IS NOT NULL");

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
