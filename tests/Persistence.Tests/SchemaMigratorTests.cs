using DigitalTwin.Persistence.Migrations;
using DigitalTwin.Persistence.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace DigitalTwin.Persistence.Tests;

[Collection(PostgresCollection.Name)]
public sealed class SchemaMigratorTests(PostgresFixture postgres)
{
    private static readonly string[] ApplicationTables =
        ["vehicle_snapshots", "signal_history", "vehicle_owners", "alerts", "commands"];

    private static readonly string[] OrleansTables =
        ["orleansquery", "orleansmembershipversiontable", "orleansmembershiptable", "orleansreminderstable"];

    [Fact]
    public void The_catalog_is_numbered_from_one_in_rising_order()
    {
        var versions = MigrationCatalog.All.Select(m => m.Version).ToArray();

        // Work streams reserve blocks of numbers (issue 17 has 0020-0029), so a branch may skip some; the migrator
        // applies every version a database has not recorded, whatever its place.
        Assert.Equal(1, versions[0]);
        Assert.Equal(versions.Order().Distinct(), versions);
        Assert.True(versions.Length >= 8, "snapshots, history, owners, alerts, commands and the three Orleans migrations");
    }

    [Fact]
    public async Task Migrating_an_empty_database_creates_every_table_and_records_every_version()
    {
        var connectionString = await postgres.CreateEmptyDatabaseAsync("migrate_empty");
        await using var dataSource = NpgsqlDataSource.Create(connectionString);

        var applied = await Migrator(dataSource).MigrateAsync(CancellationToken.None);

        Assert.Equal(MigrationCatalog.All.Select(m => m.Version), applied.Select(m => m.Version));
        foreach (var table in ApplicationTables.Concat(OrleansTables))
        {
            Assert.True(await Sql.ScalarAsync<bool>(connectionString, "SELECT to_regclass($1) IS NOT NULL", table), $"table {table} exists");
        }

        var recorded = await Sql.ScalarAsync<long>(connectionString, "SELECT count(*) FROM schema_migrations");
        Assert.Equal(MigrationCatalog.All.Count, recorded);
    }

    [Fact]
    public async Task Migrating_a_current_database_again_applies_nothing_and_keeps_its_data()
    {
        var connectionString = await postgres.CreateEmptyDatabaseAsync("migrate_twice");
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await Migrator(dataSource).MigrateAsync(CancellationToken.None);
        await Sql.ExecuteAsync(connectionString, "INSERT INTO vehicle_owners (vin, owner_id) VALUES ('WDD2030461A123456', 'alice')");

        var applied = await Migrator(dataSource).MigrateAsync(CancellationToken.None);

        Assert.Empty(applied);
        Assert.Equal("alice", await Sql.ScalarAsync<string>(connectionString, "SELECT owner_id FROM vehicle_owners WHERE vin = 'WDD2030461A123456'"));
    }

    [Fact]
    public async Task Silos_migrating_the_same_database_at_once_apply_each_migration_exactly_once()
    {
        var connectionString = await postgres.CreateEmptyDatabaseAsync("migrate_race");
        // Separate data sources: separate pools and sessions, like separate silos.
        var dataSources = Enumerable.Range(0, 4).Select(_ => NpgsqlDataSource.Create(connectionString)).ToArray();
        try
        {
            using var start = new ManualResetEventSlim();
            var runs = dataSources.Select(ds => Task.Run(async () =>
            {
                start.Wait();
                return await Migrator(ds).MigrateAsync(CancellationToken.None);
            })).ToArray();
            start.Set();
            var results = await Task.WhenAll(runs);

            var appliedVersions = results.SelectMany(r => r.Select(m => m.Version)).Order().ToArray();
            Assert.Equal(MigrationCatalog.All.Select(m => m.Version), appliedVersions);
            Assert.Equal(MigrationCatalog.All.Count, await Sql.ScalarAsync<long>(connectionString, "SELECT count(*) FROM schema_migrations"));
            Assert.Equal(
                await Sql.ScalarAsync<long>(connectionString, "SELECT count(DISTINCT querykey) FROM orleansquery"),
                await Sql.ScalarAsync<long>(connectionString, "SELECT count(*) FROM orleansquery"));
        }
        finally
        {
            foreach (var dataSource in dataSources)
            {
                await dataSource.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_migration_that_fails_leaves_no_trace_and_names_itself()
    {
        var connectionString = await postgres.CreateEmptyDatabaseAsync("migrate_conflict");
        // Someone created a table of the same name by hand: the first migration must fail whole, not half.
        await Sql.ExecuteAsync(connectionString, "CREATE TABLE vehicle_snapshots (something int)");
        await using var dataSource = NpgsqlDataSource.Create(connectionString);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Migrator(dataSource).MigrateAsync(CancellationToken.None));

        Assert.Contains("0001_vehicle_snapshots", error.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await Sql.ScalarAsync<long>(connectionString, "SELECT count(*) FROM schema_migrations"));
        Assert.False(await Sql.ScalarAsync<bool>(connectionString, "SELECT to_regclass('signal_history') IS NOT NULL"));
    }

    private static SchemaMigrator Migrator(NpgsqlDataSource dataSource) => new(dataSource, NullLogger<SchemaMigrator>.Instance);
}
