using DigitalTwin.Persistence.Migrations;
using Npgsql;

namespace DigitalTwin.Persistence.Tests.Support;

/// <summary>A database as an older build left it, for tests of a migration on data shaped by the ones before it.</summary>
public static class OlderSchema
{
    /// <summary>Applies the catalog's migrations up to <paramref name="version"/> and records them, as an older build would have.</summary>
    public static async Task ApplyUpToAsync(string connectionString, int version)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand(
            "CREATE TABLE schema_migrations (version integer NOT NULL PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
            connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        foreach (var migration in MigrationCatalog.All.Where(m => m.Version <= version))
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var script = new NpgsqlCommand(migration.Sql, connection, transaction))
            {
                await script.ExecuteNonQueryAsync();
            }

            await using (var record = new NpgsqlCommand("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", connection, transaction))
            {
                record.Parameters.Add(new NpgsqlParameter { Value = migration.Version });
                record.Parameters.Add(new NpgsqlParameter { Value = migration.Name });
                record.Parameters.Add(new NpgsqlParameter { Value = migration.Checksum });
                await record.ExecuteNonQueryAsync();
            }

            await transaction.CommitAsync();
        }
    }

    /// <summary>The versions a current build applies to a database at <paramref name="version"/>.</summary>
    public static IEnumerable<int> VersionsAfter(int version) =>
        MigrationCatalog.All.Select(m => m.Version).Where(v => v > version);
}
