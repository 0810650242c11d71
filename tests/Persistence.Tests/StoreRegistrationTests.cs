using DigitalTwin.Grains.Ownership;
using DigitalTwin.Grains.Storage;
using DigitalTwin.Persistence.Alerts;
using DigitalTwin.Persistence.Commands;
using DigitalTwin.Persistence.History;
using DigitalTwin.Persistence.Ownership;
using DigitalTwin.Persistence.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DigitalTwin.Persistence.Tests;

[Collection(PostgresCollection.Name)]
public sealed class StoreRegistrationTests(PostgresFixture postgres)
{
    private static readonly Type[] Seams = [typeof(ISignalHistoryWriter), typeof(ISignalHistoryReader), typeof(IVehicleRegistry), typeof(IAlertStore), typeof(ICommandStore)];

    [Fact]
    public void Without_a_connection_string_the_in_memory_stores_stay()
    {
        var builder = NewBuilder(connectionString: null);

        builder.AddStorage();

        using var host = builder.Build();
        Assert.IsType<InMemorySignalHistory>(host.Services.GetRequiredService<ISignalHistoryWriter>());
        Assert.IsType<InMemorySignalHistory>(host.Services.GetRequiredService<ISignalHistoryReader>());
        Assert.IsType<InMemoryVehicleRegistry>(host.Services.GetRequiredService<IVehicleRegistry>());
        Assert.IsType<InMemoryAlertStore>(host.Services.GetRequiredService<IAlertStore>());
        Assert.IsType<InMemoryCommandStore>(host.Services.GetRequiredService<ICommandStore>());
    }

    [Fact]
    public async Task With_postgres_configured_each_seam_has_exactly_one_registration_the_postgres_one()
    {
        var builder = NewBuilder(await postgres.CreateEmptyDatabaseAsync("store_registration"));

        builder.AddStorage();

        foreach (var seam in Seams)
        {
            Assert.Single(builder.Services, d => d.ServiceType == seam);
        }

        using var host = builder.Build();
        Assert.IsType<SignalHistoryWriter>(host.Services.GetRequiredService<ISignalHistoryWriter>());
        Assert.IsType<SignalHistoryReader>(host.Services.GetRequiredService<ISignalHistoryReader>());
        Assert.IsType<PostgresVehicleRegistry>(host.Services.GetRequiredService<IVehicleRegistry>());
        Assert.IsType<PostgresAlertStore>(host.Services.GetRequiredService<IAlertStore>());
        Assert.IsType<PostgresCommandStore>(host.Services.GetRequiredService<ICommandStore>());
    }

    [Fact]
    public async Task The_hosts_stores_write_to_the_configured_database()
    {
        var connectionString = await postgres.CreateEmptyDatabaseAsync("store_hosting");
        var builder = NewBuilder(connectionString);
        builder.AddStorage();
        using var host = builder.Build();
        await host.StartAsync();
        var vin = TestVins.Next();

        var (outcome, _) = await host.Services.GetRequiredService<IVehicleRegistry>().RegisterAsync(vin, "alice", CancellationToken.None);
        await host.StopAsync();

        Assert.Equal(RegistrationOutcome.Created, outcome);
        Assert.Equal("alice", await Sql.ScalarAsync<string>(connectionString, "SELECT owner_id FROM vehicle_owners WHERE vin = $1", vin));
    }

    private static HostApplicationBuilder NewBuilder(string? connectionString)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = connectionString });
        // What the silo binds itself; the storage is chosen by AddStorage.
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<PersistenceOptions>().BindConfiguration(PersistenceOptions.SectionName);
        return builder;
    }
}
