using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace DigitalTwin.Persistence.Migrations;

/// <summary>
/// Brings the database to the newest schema this build knows. Idempotent: applied versions are recorded in
/// <c>schema_migrations</c> and skipped. Safe when several silos start at once: the whole run holds a PostgreSQL
/// advisory lock, so the others wait and then find nothing left to do.
/// </summary>
public sealed partial class SchemaMigrator(
    [FromKeyedServices(PersistenceExtensions.DataSourceKey)] NpgsqlDataSource dataSource,
    ILogger<SchemaMigrator> logger)
{
    /// <summary>The advisory lock key; any constant works as long as every silo of every version uses the same one.</summary>
    public const long LockKey = 0x4454_5343_4845_4D41; // "DTSCHEMA"

    private const string CreateHistoryTableSql =
        """
        CREATE TABLE IF NOT EXISTS schema_migrations
        (
            version    integer     NOT NULL PRIMARY KEY,
            name       text        NOT NULL,
            checksum   text        NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """;

    private readonly IReadOnlyList<Migration> _migrations = MigrationCatalog.All;

    /// <summary>Applies every migration the database lacks.</summary>
    /// <returns>The migrations this call applied; empty when the schema was already current.</returns>
    public async Task<IReadOnlyList<Migration>> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);

        // Session-level lock: held across the per-migration transactions below, and released by PostgreSQL itself if
        // this process dies half way. Taken before the CREATE TABLE IF NOT EXISTS because concurrent IF NOT EXISTS
        // can still collide on the catalog.
        var waited = Stopwatch.StartNew();
        await ExecuteAsync(connection, null, "SELECT pg_advisory_lock($1)", cancellationToken, LockKey);
        try
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(1))
            {
                LogWaitedForLock(logger, waited.Elapsed);
            }

            await ExecuteAsync(connection, null, CreateHistoryTableSql, cancellationToken);
            var applied = await ReadAppliedAsync(connection, cancellationToken);
            WarnAboutDrift(applied);

            var newlyApplied = new List<Migration>();
            foreach (var migration in _migrations)
            {
                if (applied.ContainsKey(migration.Version))
                {
                    continue;
                }

                await ApplyAsync(connection, migration, cancellationToken);
                newlyApplied.Add(migration);
            }

            LogCurrent(logger, _migrations.Count == 0 ? 0 : _migrations[^1].Version, newlyApplied.Count);
            return newlyApplied;
        }
        finally
        {
            // If the connection broke, the server has released the lock with the session already.
            if (connection.FullState == System.Data.ConnectionState.Open)
            {
                await ExecuteAsync(connection, null, "SELECT pg_advisory_unlock($1)", CancellationToken.None, LockKey);
            }
        }
    }

    private async Task ApplyAsync(NpgsqlConnection connection, Migration migration, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
        }
        catch (PostgresException ex)
        {
            throw new InvalidOperationException(
                $"Migration {migration.Version:D4}_{migration.Name} failed: {ex.MessageText} (SQLSTATE {ex.SqlState})", ex);
        }

        await ExecuteAsync(
            connection,
            transaction,
            "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
            cancellationToken,
            migration.Version,
            migration.Name,
            migration.Checksum);
        await transaction.CommitAsync(cancellationToken);
        LogApplied(logger, migration.Version, migration.Name, started.Elapsed);
    }

    private static async Task<Dictionary<int, string>> ReadAppliedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT version, checksum FROM schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var applied = new Dictionary<int, string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            applied[reader.GetInt32(0)] = reader.GetString(1);
        }

        return applied;
    }

    private void WarnAboutDrift(Dictionary<int, string> applied)
    {
        var known = _migrations.ToDictionary(m => m.Version);
        foreach (var (version, checksum) in applied)
        {
            if (!known.TryGetValue(version, out var migration))
            {
                // A newer silo has migrated already (rolling upgrade); this one runs against a schema it predates.
                LogNewerSchema(logger, version);
            }
            else if (!string.Equals(migration.Checksum, checksum, StringComparison.Ordinal))
            {
                // Migrations are never edited once shipped; a mismatch means this database and this build disagree.
                LogChecksumMismatch(logger, version, migration.Name);
            }
        }
    }

    private static async Task ExecuteAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction? transaction,
        string sql,
        CancellationToken cancellationToken,
        params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction)
        {
            // Schema changes on a large table can legitimately take long; the caller's token bounds the wait instead.
            CommandTimeout = 0,
        };
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Waited {Elapsed} for another silo to finish migrating the schema")]
    private static partial void LogWaitedForLock(ILogger logger, TimeSpan elapsed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied migration {Version:D4}_{Name} in {Elapsed}")]
    private static partial void LogApplied(ILogger logger, int version, string name, TimeSpan elapsed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Database schema is at version {Version} ({Applied} migrations applied now)")]
    private static partial void LogCurrent(ILogger logger, int version, int applied);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database has migration {Version}, which this build does not know: a newer silo migrated it")]
    private static partial void LogNewerSchema(ILogger logger, int version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Migration {Version:D4}_{Name} differs from the one applied to this database; shipped migrations must not be edited")]
    private static partial void LogChecksumMismatch(ILogger logger, int version, string name);
}
