using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Persistence.History;
using DigitalTwin.Persistence.Migrations;
using DigitalTwin.Persistence.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace DigitalTwin.Persistence.Tests;

/// <summary>Migration 10 on a history that the append-only writer before it filled with duplicates.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SignalHistoryMigrationTests(PostgresFixture postgres)
{
    private const int Version = 10;

    private static readonly DateTime T0 = new(2025, 11, 25, 1, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Migrating_a_history_with_duplicates_keeps_one_row_per_sample_and_every_distinct_sample()
    {
        var connectionString = await postgres.CreateEmptyDatabaseAsync("migrate_history_duplicates");
        await OlderSchema.ApplyUpToAsync(connectionString, Version - 1);
        var (vin, other) = (TestVins.Next(), TestVins.Next());
        const string insert = "INSERT INTO signal_history (vin, signal, ts, value_num, value_bool, value_text) VALUES ($1, $2, $3, $4, $5, $6)";
        // Stored first, so kept: the same sample three times and twice, each time with another value.
        await Sql.ExecuteAsync(connectionString, insert, vin, "Vehicle.Speed", T0, 1.0, DBNull.Value, DBNull.Value);
        await Sql.ExecuteAsync(connectionString, insert, vin, "Vehicle.Cabin.Infotainment.Media.Played.Source", T0, DBNull.Value, DBNull.Value, "FM");
        await Sql.ExecuteAsync(connectionString, insert, vin, "Vehicle.Speed", T0, 2.0, DBNull.Value, DBNull.Value);
        await Sql.ExecuteAsync(connectionString, insert, vin, "Vehicle.Speed", T0, 3.0, DBNull.Value, DBNull.Value);
        await Sql.ExecuteAsync(connectionString, insert, vin, "Vehicle.Cabin.Infotainment.Media.Played.Source", T0, DBNull.Value, DBNull.Value, "DAB");
        // Distinct samples that share two of the three key columns with the ones above.
        await Sql.ExecuteAsync(connectionString, insert, vin, "Vehicle.Speed", T0.AddMilliseconds(1), 4.0, DBNull.Value, DBNull.Value);
        await Sql.ExecuteAsync(connectionString, insert, vin, "Vehicle.ADAS.ABS.IsEngaged", T0, DBNull.Value, true, DBNull.Value);
        await Sql.ExecuteAsync(connectionString, insert, other, "Vehicle.Speed", T0, 5.0, DBNull.Value, DBNull.Value);

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var applied = await new SchemaMigrator(dataSource, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);

        Assert.Equal(OlderSchema.VersionsAfter(Version - 1), applied.Select(m => m.Version));
        Assert.Equal(5L, await Sql.ScalarAsync<long>(connectionString, "SELECT count(*) FROM signal_history"));
        Assert.Equal(1.0, await Sql.ScalarAsync<double>(connectionString, "SELECT value_num FROM signal_history WHERE vin = $1 AND signal = 'Vehicle.Speed' AND ts = $2", vin, T0));
        Assert.Equal("FM", await Sql.ScalarAsync<string>(connectionString, "SELECT value_text FROM signal_history WHERE vin = $1 AND signal LIKE '%.Source'", vin));
        Assert.Equal(4.0, await Sql.ScalarAsync<double>(connectionString, "SELECT value_num FROM signal_history WHERE vin = $1 AND ts = $2", vin, T0.AddMilliseconds(1)));
        Assert.True(await Sql.ScalarAsync<bool>(connectionString, "SELECT value_bool FROM signal_history WHERE vin = $1 AND signal = 'Vehicle.ADAS.ABS.IsEngaged'", vin));
        Assert.Equal(5.0, await Sql.ScalarAsync<double>(connectionString, "SELECT value_num FROM signal_history WHERE vin = $1", other));
    }

    [Fact]
    public async Task After_the_migration_the_range_index_keeps_its_name_and_refuses_a_second_row_for_a_sample()
    {
        var connectionString = await postgres.CreateEmptyDatabaseAsync("migrate_history_index");
        await OlderSchema.ApplyUpToAsync(connectionString, Version - 1);
        Assert.False(await IsUniqueAsync(connectionString));
        await using var dataSource = NpgsqlDataSource.Create(connectionString);

        await new SchemaMigrator(dataSource, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);

        Assert.True(await IsUniqueAsync(connectionString));
        // On the partitioned table since migration 11 (ON ONLY: the parent's index, each partition holding its share);
        // the BRIN index stayed with the old table, which an empty history does not keep.
        Assert.Equal(
            "CREATE UNIQUE INDEX signal_history_vin_signal_ts ON ONLY public.signal_history USING btree (vin, signal, ts)",
            await Sql.ScalarAsync<string>(connectionString, "SELECT pg_get_indexdef('signal_history_vin_signal_ts'::regclass)"));
        Assert.Equal(1L, await Sql.ScalarAsync<long>(connectionString, "SELECT count(*) FROM pg_indexes WHERE tablename = 'signal_history'"));
        const string insert = "INSERT INTO signal_history (vin, signal, ts, value_num) VALUES ('WDD2030461A123456', 'Vehicle.Speed', $1, 1)";
        await Sql.ExecuteAsync(connectionString, insert, T0);
        var error = await Assert.ThrowsAsync<PostgresException>(() => Sql.ExecuteAsync(connectionString, insert, T0));
        Assert.Equal(PostgresErrorCodes.UniqueViolation, error.SqlState);
    }

    [Fact]
    public async Task The_writer_skips_samples_that_were_stored_before_the_migration()
    {
        var connectionString = await postgres.CreateEmptyDatabaseAsync("migrate_history_writer");
        await OlderSchema.ApplyUpToAsync(connectionString, Version - 1);
        var vin = TestVins.Next();
        const string insert = "INSERT INTO signal_history (vin, signal, ts, value_num) VALUES ($1, 'Vehicle.Speed', $2, $3)";
        await Sql.ExecuteAsync(connectionString, insert, vin, T0, 1.0);
        await Sql.ExecuteAsync(connectionString, insert, vin, T0, 1.0);
        await using (var dataSource = NpgsqlDataSource.Create(connectionString))
        {
            await new SchemaMigrator(dataSource, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        }

        await using var harness = Harness.Create(connectionString);
        harness.HistoryWriter.Append(new SignalHistoryRow(vin, "Vehicle.Speed", T0, SignalValue.FromNumber(1)));
        harness.HistoryWriter.Append(new SignalHistoryRow(vin, "Vehicle.Speed", T0.AddSeconds(1), SignalValue.FromNumber(2)));
        await harness.HistoryFlusher.FlushAsync(CancellationToken.None);

        Assert.Equal(1, harness.Metrics.HistoryRowsSkippedAsDuplicates);
        Assert.Equal(2L, await Sql.ScalarAsync<long>(connectionString, "SELECT count(*) FROM signal_history WHERE vin = $1", vin));
    }

    private static Task<bool> IsUniqueAsync(string connectionString) =>
        Sql.ScalarAsync<bool>(connectionString, "SELECT indisunique FROM pg_index WHERE indexrelid = 'signal_history_vin_signal_ts'::regclass");
}
