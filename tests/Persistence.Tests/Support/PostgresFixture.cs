using System.Collections.Concurrent;
using DigitalTwin.Persistence.Migrations;
using DigitalTwin.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace DigitalTwin.Persistence.Tests.Support;

/// <summary>One PostgreSQL server for the whole test run, shared by every class of <see cref="PostgresCollection"/>.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _classDatabases = new(StringComparer.Ordinal);
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("The fixture has not started yet");

    public async Task InitializeAsync() => _server = await PostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>An empty database of its own, not migrated: for tests of the migrations themselves.</summary>
    public Task<string> CreateEmptyDatabaseAsync(string label) => Server.CreateDatabaseAsync(label);

    /// <summary>A fresh, migrated database of its own.</summary>
    public async Task<string> CreateMigratedDatabaseAsync(string label)
    {
        var connectionString = await Server.CreateDatabaseAsync(label);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await new SchemaMigrator(dataSource, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        return connectionString;
    }

    /// <summary>
    /// A migrated database shared by all tests of one class, created on first request. Tests sharing it use VINs of
    /// their own.
    /// </summary>
    public Task<string> DatabaseForClassAsync(Type testClass) =>
        _classDatabases.GetOrAdd(
            testClass.FullName ?? testClass.Name,
            _ => new Lazy<Task<string>>(() => CreateMigratedDatabaseAsync(testClass.Name))).Value;
}
