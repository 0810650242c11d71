using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Persistence.History;
using DigitalTwin.Persistence.Migrations;
using DigitalTwin.Persistence.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace DigitalTwin.Persistence.Tests;

/// <summary>
/// signal_history partitioned by time (migration 11, <see cref="SignalHistoryPartitions"/>, retention). Every test has a
/// database of its own, since partitions belong to the whole table.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SignalHistoryPartitionTests(PostgresFixture postgres)
{
    private const int PartitionMigration = 11;

    // A fixed "now" on a fake clock, mid-morning so that a day's partition straddles the retention cutoff.
    private static readonly DateTimeOffset Now = new(2026, 6, 15, 10, 0, 0, TimeSpan.Zero);

    private static readonly DateTimeOffset FarPast = new(1990, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly DateTimeOffset FarFuture = new(2200, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Migrating_a_history_that_holds_rows_keeps_them_all_and_the_range_query_still_finds_them()
    {
        var connectionString = await postgres.CreateEmptyDatabaseAsync("partition_migration_rows");
        await OlderSchema.ApplyUpToAsync(connectionString, PartitionMigration - 1);
        var vin = TestVins.Next();
        var now = WholeMilliseconds(DateTimeOffset.UtcNow);
        var stamps = new[] { FarPast, now.AddDays(-30), now.AddDays(-3), now.AddHours(-1), now.AddDays(2), FarFuture };
        for (var i = 0; i < stamps.Length; i++)
        {
            await Sql.ExecuteAsync(connectionString, "INSERT INTO signal_history (vin, signal, ts, value_num) VALUES ($1, 'Vehicle.Speed', $2, $3)", vin, stamps[i].UtcDateTime, (double)i);
        }

        await using (var dataSource = NpgsqlDataSource.Create(connectionString))
        {
            var applied = await new SchemaMigrator(dataSource, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
            Assert.Equal(OlderSchema.VersionsAfter(PartitionMigration - 1), applied.Select(m => m.Version));
        }

        Assert.Equal("p", await Sql.ScalarAsync<string>(connectionString, "SELECT relkind::text FROM pg_class WHERE oid = 'signal_history'::regclass"));
        Assert.True(await Sql.ScalarAsync<bool>(connectionString, "SELECT indisunique FROM pg_index WHERE indexrelid = 'signal_history_vin_signal_ts'::regclass"));
        // The old rows stayed where they were; only those stamped after today moved, into the default partition.
        Assert.Equal(
            "signal_history_default,signal_history_default,signal_history_p_migrated,signal_history_p_migrated,signal_history_p_migrated,signal_history_p_migrated",
            await Sql.ScalarAsync<string>(connectionString, "SELECT string_agg(tableoid::regclass::text, ',' ORDER BY tableoid::regclass::text) FROM signal_history"));

        await using var harness = Harness.Create(connectionString);
        var points = await harness.HistoryReader.QueryAsync(vin, "Vehicle.Speed", long.MinValue, long.MaxValue, 100, CancellationToken.None);
        Assert.Equal(stamps.Select(s => s.ToUnixTimeMilliseconds()), points.Select(p => p.Ts));
        Assert.Equal([0.0, 1, 2, 3, 4, 5], points.Select(p => p.Value.Number));

        // The migrated partition is not of one interval: retention deletes its expired rows one by one until it can go.
        await harness.Retention.RunOnceAsync(CancellationToken.None);
        var left = await harness.HistoryReader.QueryAsync(vin, "Vehicle.Speed", long.MinValue, long.MaxValue, 100, CancellationToken.None);
        Assert.Equal([2.0, 3, 4, 5], left.Select(p => p.Value.Number));
        Assert.Equal(2, harness.Metrics.HistoryRowsExpired);
    }

    [Fact]
    public async Task Samples_on_partition_boundaries_far_in_the_past_and_far_in_the_future_are_all_stored()
    {
        var connectionString = await postgres.CreateMigratedDatabaseAsync("partition_boundaries");
        await using var harness = Harness.Create(connectionString, time: new FakeTimeProvider(Now));
        await harness.Partitions.EnsureAsync(Now, CancellationToken.None);
        var vin = TestVins.Next();
        var midnight = new DateTimeOffset(2026, 6, 16, 0, 0, 0, TimeSpan.Zero);
        var stamps = new[] { FarPast, midnight.AddMilliseconds(-1), midnight, Now, FarFuture, DateTimeOffset.UnixEpoch };
        foreach (var ts in stamps)
        {
            harness.HistoryWriter.Append(new SignalHistoryRow(vin, "Vehicle.Speed", ts, SignalValue.FromNumber(ts.Year)));
        }

        await harness.HistoryFlusher.FlushAsync(CancellationToken.None);

        Assert.Equal(stamps.Length, harness.Metrics.HistoryRowsWritten);
        Assert.Equal(0, harness.Metrics.HistoryRowsRejected);
        var points = await harness.HistoryReader.QueryAsync(vin, "Vehicle.Speed", long.MinValue, long.MaxValue, 100, CancellationToken.None);
        Assert.Equal(stamps.Select(s => s.ToUnixTimeMilliseconds()).Order(), points.Select(p => p.Ts));
        Assert.Equal("signal_history_p20260615", await PartitionOfAsync(connectionString, vin, midnight.AddMilliseconds(-1)));
        Assert.Equal("signal_history_p20260616", await PartitionOfAsync(connectionString, vin, midnight));
        Assert.Equal(SignalHistoryPartitions.DefaultPartitionName, await PartitionOfAsync(connectionString, vin, FarPast));
        Assert.Equal(SignalHistoryPartitions.DefaultPartitionName, await PartitionOfAsync(connectionString, vin, FarFuture));
    }

    [Fact]
    public async Task Partitions_exist_from_the_retention_cutoff_to_three_days_ahead_and_a_second_round_creates_none()
    {
        var connectionString = await postgres.CreateMigratedDatabaseAsync("partition_ahead");
        await using var harness = Harness.Create(connectionString, o => o.HistoryRetention = TimeSpan.FromDays(7));

        var created = await harness.Partitions.EnsureAsync(Now, CancellationToken.None);
        var again = await harness.Partitions.EnsureAsync(Now.AddHours(1), CancellationToken.None);

        // 8 June (holding the cutoff, 10:00) to 18 June (holding now + 3 days), one a day.
        Assert.Equal(Enumerable.Range(8, 11).Select(day => $"signal_history_p202606{day:D2}"), created.Select(p => p.Name));
        Assert.Empty(again);
        var partitions = await harness.Partitions.ListAsync(CancellationToken.None);
        Assert.Equal(12, partitions.Count);
        Assert.True(partitions[^1].IsDefault);
    }

    [Fact]
    public async Task A_partition_created_after_its_samples_arrived_takes_them_from_the_default_partition()
    {
        var connectionString = await postgres.CreateMigratedDatabaseAsync("partition_moves_default");
        await using var harness = Harness.Create(connectionString);
        await harness.Partitions.EnsureAsync(Now, CancellationToken.None);
        var vin = TestVins.Next();
        // A car whose clock runs ten days ahead, then the calendar catching up with it.
        var ahead = Now.AddDays(10);
        harness.HistoryWriter.Append(new SignalHistoryRow(vin, "Vehicle.Speed", ahead, SignalValue.FromNumber(1)));
        await harness.HistoryFlusher.FlushAsync(CancellationToken.None);
        Assert.Equal(SignalHistoryPartitions.DefaultPartitionName, await PartitionOfAsync(connectionString, vin, ahead));

        await harness.Partitions.EnsureAsync(Now.AddDays(9), CancellationToken.None);

        Assert.Equal("signal_history_p20260625", await PartitionOfAsync(connectionString, vin, ahead));
        Assert.Equal(1L, await Sql.ScalarAsync<long>(connectionString, "SELECT count(*) FROM signal_history WHERE vin = $1", vin));
    }

    [Fact]
    public async Task A_replayed_batch_across_partitions_and_the_default_partition_leaves_one_row_per_sample()
    {
        var connectionString = await postgres.CreateMigratedDatabaseAsync("partition_replay");
        await using var harness = Harness.Create(connectionString);
        await harness.Partitions.EnsureAsync(Now, CancellationToken.None);
        var vin = TestVins.Next();
        var stamps = new[] { Now.AddDays(-2), Now.AddDays(-1), Now, Now.AddDays(1), FarFuture };
        void Append(int offset)
        {
            foreach (var ts in stamps)
            {
                harness.HistoryWriter.Append(new SignalHistoryRow(vin, "Vehicle.Speed", ts, SignalValue.FromNumber(offset)));
            }
        }

        Append(0);
        await harness.HistoryFlusher.FlushAsync(CancellationToken.None);
        // The replay: the same samples with other values, and one new sample, in one batch.
        Append(100);
        harness.HistoryWriter.Append(new SignalHistoryRow(vin, "Vehicle.Speed", Now.AddMinutes(1), SignalValue.FromNumber(7)));
        await harness.HistoryFlusher.FlushAsync(CancellationToken.None);

        Assert.Equal(stamps.Length, harness.Metrics.HistoryRowsSkippedAsDuplicates);
        Assert.Equal(0, harness.Metrics.HistoryRowsRejected);
        var points = await harness.HistoryReader.QueryAsync(vin, "Vehicle.Speed", long.MinValue, long.MaxValue, 100, CancellationToken.None);
        Assert.Equal(stamps.Length + 1, points.Count);
        Assert.Equal(7.0, Assert.Single(points, p => p.Value.Number != 0).Value.Number);
    }

    [Fact]
    public async Task Retention_drops_partitions_older_than_the_retention_and_keeps_the_one_straddling_the_cutoff()
    {
        var connectionString = await postgres.CreateMigratedDatabaseAsync("partition_retention");
        var clock = new FakeTimeProvider(Now);
        await using var harness = Harness.Create(connectionString, o => o.HistoryRetention = TimeSpan.FromDays(7), time: clock);
        // Partitions as a silo running since ten days ago left them.
        await harness.Partitions.EnsureAsync(Now.AddDays(-10), CancellationToken.None);
        var vin = TestVins.Next();
        var cutoff = Now.AddDays(-7);
        var expired = new[] { Now.AddDays(-10), cutoff.AddDays(-1), FarPast };
        // 8 June 09:00 is past the cutoff (8 June 10:00) but its partition still holds samples inside the retention.
        var kept = new[] { cutoff.AddHours(-1), cutoff.AddHours(1), Now.AddHours(-1), FarFuture };
        foreach (var ts in expired.Concat(kept))
        {
            harness.HistoryWriter.Append(new SignalHistoryRow(vin, "Vehicle.Speed", ts, SignalValue.FromNumber(1)));
        }

        await harness.HistoryFlusher.FlushAsync(CancellationToken.None);

        var removed = await harness.Retention.RunOnceAsync(CancellationToken.None);

        Assert.Equal(expired.Length, removed);
        Assert.Equal(expired.Length, harness.Metrics.HistoryRowsExpired);
        var points = await harness.HistoryReader.QueryAsync(vin, "Vehicle.Speed", long.MinValue, long.MaxValue, 100, CancellationToken.None);
        Assert.Equal(kept.Select(k => k.ToUnixTimeMilliseconds()).Order(), points.Select(p => p.Ts));
        var names = (await harness.Partitions.ListAsync(CancellationToken.None)).Select(p => p.Name).ToList();
        Assert.DoesNotContain("signal_history_p20260607", names);
        Assert.DoesNotContain("signal_history_p20260605", names);
        Assert.Equal("signal_history_p20260608", names[0]);
    }

    [Fact]
    public async Task The_range_query_is_an_index_scan_of_only_the_partitions_its_range_overlaps()
    {
        var connectionString = await postgres.CreateMigratedDatabaseAsync("partition_plan");
        await using var harness = Harness.Create(connectionString);
        await harness.Partitions.EnsureAsync(Now, CancellationToken.None);
        var vin = TestVins.Next();
        for (var h = -48; h < 48; h++)
        {
            harness.HistoryWriter.Append(new SignalHistoryRow(vin, "Vehicle.Speed", Now.AddHours(h), SignalValue.FromNumber(h)));
        }

        await harness.HistoryFlusher.FlushAsync(CancellationToken.None);
        const string query =
            "SELECT ts, value_num, value_bool, value_text FROM signal_history WHERE vin = $1 AND signal = $2 AND ts >= $3 AND ts <= $4 ORDER BY ts LIMIT 100000";

        var hour = await QueryPlan.ExplainAsync(connectionString, query, vin, "Vehicle.Speed", Now.UtcDateTime, Now.AddHours(1).UtcDateTime);
        var day = await QueryPlan.ExplainAsync(connectionString, query, vin, "Vehicle.Speed", Now.UtcDateTime, Now.AddDays(1).UtcDateTime);

        Assert.Equal(["signal_history_p20260615"], ScannedPartitions(hour));
        Assert.Equal(["signal_history_p20260615", "signal_history_p20260616"], ScannedPartitions(day));
        Assert.All(hour.Concat(day).Where(line => line.Contains(" on signal_history", StringComparison.Ordinal)), line => Assert.Contains("Index Scan using", line, StringComparison.Ordinal));
        Assert.DoesNotContain(hour.Concat(day), line => line.Contains("Seq Scan", StringComparison.Ordinal));
    }

    [Fact]
    public void A_partition_interval_that_does_not_tile_the_day_is_refused_naming_the_key()
    {
        Assert.Null(PostgresPersistenceOptions.ValidateHistoryPartitionInterval(TimeSpan.FromHours(6), new(new object())));
        Assert.Null(PostgresPersistenceOptions.ValidateHistoryPartitionInterval(TimeSpan.FromDays(7), new(new object())));

        foreach (var bad in new[] { TimeSpan.FromHours(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(36), TimeSpan.Zero, TimeSpan.FromDays(40) })
        {
            var result = PostgresPersistenceOptions.ValidateHistoryPartitionInterval(bad, new(new object()));
            Assert.NotNull(result);
            Assert.Contains("Persistence:HistoryPartitionInterval", result.ErrorMessage, StringComparison.Ordinal);
        }
    }

    private static IEnumerable<string> ScannedPartitions(IReadOnlyList<string> plan) =>
        plan.Select(line => System.Text.RegularExpressions.Regex.Match(line, @" on (signal_history_\w+)"))
            .Where(match => match.Success)
            .Select(match => match.Groups[1].Value)
            .Order(StringComparer.Ordinal);

    private static Task<string?> PartitionOfAsync(string connectionString, string vin, DateTimeOffset ts) =>
        Sql.ScalarAsync<string>(connectionString, "SELECT tableoid::regclass::text FROM signal_history WHERE vin = $1 AND ts = $2", vin, ts.UtcDateTime);

    private static DateTimeOffset WholeMilliseconds(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
}
