using DigitalTwin.Grains.Abstractions.Commands;
using DigitalTwin.Persistence.Alerts;
using DigitalTwin.Persistence.Commands;
using DigitalTwin.Persistence.Migrations;
using DigitalTwin.Persistence.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DigitalTwin.Persistence.Tests;

/// <summary>Migration 9 on a database that already holds alerts and commands shaped by migrations 4 and 5.</summary>
[Collection(PostgresCollection.Name)]
public sealed class AlertAndCommandMigrationTests(PostgresFixture postgres)
{
    private const int Version = 9;

    [Fact]
    public async Task Existing_alerts_and_commands_survive_and_take_on_the_new_columns()
    {
        var connectionString = await postgres.CreateEmptyDatabaseAsync("migrate_documents");
        await OlderSchema.ApplyUpToAsync(connectionString, Version - 1);
        var (alertId, acknowledgedId) = (Guid.NewGuid(), Guid.NewGuid());
        var (sent, expired) = (Guid.NewGuid(), Guid.NewGuid());
        var vin = TestVins.Next();
        var at = new DateTime(2025, 11, 25, 1, 0, 0, DateTimeKind.Utc);
        const string insertAlert = "INSERT INTO alerts (id, vin, type, severity, raised_at, acknowledged_at) VALUES ($1, $2, 'crash', 'severe', $3, $4)";
        await Sql.ExecuteAsync(connectionString, insertAlert, alertId, vin, at, DBNull.Value);
        await Sql.ExecuteAsync(connectionString, insertAlert, acknowledgedId, vin, at, at.AddMinutes(3));
        const string insertCommand = "INSERT INTO commands (id, vin, name, status, created_at, expires_at) VALUES ($1, $2, 'doors.lock', $3, $4, $5)";
        await Sql.ExecuteAsync(connectionString, insertCommand, sent, vin, "sent", at, at.AddMinutes(5));
        await Sql.ExecuteAsync(connectionString, insertCommand, expired, vin, "expired", at.AddSeconds(1), at.AddMinutes(5));

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var applied = await new SchemaMigrator(dataSource, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);

        Assert.Equal(OlderSchema.VersionsAfter(Version - 1), applied.Select(m => m.Version));
        Assert.Equal(alertId.ToString(), await Sql.ScalarAsync<string>(connectionString, "SELECT id FROM alerts WHERE id = $1", alertId.ToString()));
        Assert.Equal("open", await Sql.ScalarAsync<string>(connectionString, "SELECT status FROM alerts WHERE id = $1", alertId.ToString()));
        Assert.Equal("acknowledged", await Sql.ScalarAsync<string>(connectionString, "SELECT status FROM alerts WHERE id = $1", acknowledgedId.ToString()));
        Assert.Equal(at.AddMinutes(3), await Sql.ScalarAsync<DateTime>(connectionString, "SELECT updated_at FROM alerts WHERE id = $1", acknowledgedId.ToString()));
        Assert.Equal("sent", await Sql.ScalarAsync<string>(connectionString, "SELECT state FROM commands WHERE id = $1", sent));
        Assert.Equal("expired", await Sql.ScalarAsync<string>(connectionString, "SELECT state FROM commands WHERE id = $1", expired));

        // The stores read what they can: a command from its columns; an alert without a document is not a CrashAlert.
        var options = Options.Create(new PostgresPersistenceOptions());
        var commands = new PostgresCommandStore(dataSource, options, NullLogger<PostgresCommandStore>.Instance);
        var open = Assert.Single(await commands.LoadOpenAsync(vin, CancellationToken.None));
        Assert.Equal((sent, CommandState.Sent, "{}"), (open.Id, open.State, open.ParamsJson));
        Assert.Equal(CommandState.Expired, (await commands.GetAsync(vin, expired, CancellationToken.None))!.State);
        var alerts = new PostgresAlertStore(dataSource, options, NullLogger<PostgresAlertStore>.Instance);
        Assert.Empty(await alerts.ListAsync(vin, 10, CancellationToken.None));

        // A writer that still knows only migration 5's columns keeps working.
        var later = Guid.NewGuid();
        await Sql.ExecuteAsync(connectionString, "INSERT INTO commands (id, vin, name, expires_at) VALUES ($1, $2, 'doors.unlock', now())", later, vin);
        Assert.Equal("pending", await Sql.ScalarAsync<string>(connectionString, "SELECT state FROM commands WHERE id = $1", later));
    }

    [Fact]
    public async Task The_status_column_cannot_disagree_with_the_state()
    {
        var connectionString = await postgres.CreateMigratedDatabaseAsync("command_states");
        const string insert = "INSERT INTO commands (id, vin, name, status, state, expires_at) VALUES ($1, 'WDD2030461A123456', 'doors.lock', $2, $3, now())";

        await Sql.ExecuteAsync(connectionString, insert, Guid.NewGuid(), "expired", "superseded");
        foreach (var (status, state) in new[] { ("superseded", "superseded"), ("pending", "superseded"), ("sent", "pending"), ("expired", "bogus") })
        {
            var error = await Assert.ThrowsAsync<PostgresException>(() => Sql.ExecuteAsync(connectionString, insert, Guid.NewGuid(), status, state));
            Assert.Equal(PostgresErrorCodes.CheckViolation, error.SqlState);
        }
    }
}
