using DigitalTwin.Persistence.Tests.Support;
using DigitalTwin.Testing;
using Npgsql;

namespace DigitalTwin.Persistence.Tests;

[Collection(PostgresCollection.Name)]
public sealed class PostgresServerTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Databases_created_for_tests_are_separate_and_empty()
    {
        var first = await postgres.Server.CreateDatabaseAsync("isolation one");
        var second = await postgres.Server.CreateDatabaseAsync("isolation one");
        await Sql.ExecuteAsync(first, "CREATE TABLE marker (id int)");

        Assert.NotEqual(new NpgsqlConnectionStringBuilder(first).Database, new NpgsqlConnectionStringBuilder(second).Database);
        Assert.False(await Sql.ScalarAsync<bool>(second, "SELECT to_regclass('marker') IS NOT NULL"));
        Assert.Equal("UTF8", await Sql.ScalarAsync<string>(first, "SHOW server_encoding"));
    }

    [Fact]
    public async Task Disposing_a_server_leaves_nothing_behind()
    {
        if (!postgres.Server.IsThrowaway)
        {
            await TheUsersServerKeepsNothingOfOursAfterDisposeAsync();
            return;
        }

        var server = await PostgresServer.StartAsync();
        var connectionString = server.ConnectionString;
        var dataDirectory = await Sql.ScalarAsync<string>(connectionString, "SHOW data_directory");
        Assert.True(Directory.Exists(dataDirectory));

        await server.DisposeAsync();

        Assert.False(Directory.Exists(dataDirectory));
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Timeout = 2, Pooling = false }.ConnectionString);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => connection.OpenAsync());
    }

    private async Task TheUsersServerKeepsNothingOfOursAfterDisposeAsync()
    {
        var server = await PostgresServer.StartAsync();
        var database = new NpgsqlConnectionStringBuilder(await server.CreateDatabaseAsync("dropped_after_dispose")).Database;

        await server.DisposeAsync();

        Assert.False(await Sql.ScalarAsync<bool>(postgres.Server.ConnectionString, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", database!));
    }
}
