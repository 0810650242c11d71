using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Persistence.History;
using DigitalTwin.Persistence.Tests.Support;

namespace DigitalTwin.Persistence.Tests;

[Collection(PostgresCollection.Name)]
public sealed class SignalHistoryTests(PostgresFixture postgres) : IAsyncLifetime
{
    // An hour ago, whole milliseconds: recent enough to survive retention, exact enough to compare after a round trip.
    private static readonly DateTimeOffset T0 = WholeMilliseconds(DateTimeOffset.UtcNow.AddHours(-1));

    private string _connectionString = null!;

    public async Task InitializeAsync() => _connectionString = await postgres.DatabaseForClassAsync(GetType());

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_range_query_returns_one_signal_of_one_vehicle_oldest_first_both_ends_included()
    {
        await using var harness = Harness.Create(_connectionString);
        var (vin, other) = (TestVins.Next(), TestVins.Next());
        // Appended out of order, with another signal and another vehicle in between.
        foreach (var second in new[] { 3, 0, 1, 4, 2 })
        {
            harness.HistoryWriter.Append(new SignalHistoryRow(vin, "Vehicle.Speed", T0.AddSeconds(second), SignalValue.FromNumber(second * 10)));
            harness.HistoryWriter.Append(new SignalHistoryRow(vin, "Vehicle.TraveledDistance", T0.AddSeconds(second), SignalValue.FromNumber(-1)));
            harness.HistoryWriter.Append(new SignalHistoryRow(other, "Vehicle.Speed", T0.AddSeconds(second), SignalValue.FromNumber(-2)));
        }

        await harness.HistoryFlusher.FlushAsync(CancellationToken.None);
        var points = await QueryAsync(harness, vin, "Vehicle.Speed", T0.AddSeconds(1), T0.AddSeconds(3), 100);

        Assert.Equal([T0.AddSeconds(1), T0.AddSeconds(2), T0.AddSeconds(3)], points.Select(p => p.Ts));
        Assert.Equal([10.0, 20.0, 30.0], points.Select(p => p.Value.Number));
        Assert.Equal(15, harness.Metrics.HistoryRowsWritten);
    }

    [Fact]
    public async Task The_limit_caps_the_samples_returned_keeping_the_oldest()
    {
        await using var harness = Harness.Create(_connectionString);
        var vin = TestVins.Next();
        for (var i = 0; i < 10; i++)
        {
            harness.HistoryWriter.Append(new SignalHistoryRow(vin, "Vehicle.Speed", T0.AddMilliseconds(i), SignalValue.FromNumber(i)));
        }

        await harness.HistoryFlusher.FlushAsync(CancellationToken.None);
        var points = await QueryAsync(harness, vin, "Vehicle.Speed", T0, T0.AddHours(1), 4);

        Assert.Equal([0.0, 1.0, 2.0, 3.0], points.Select(p => p.Value.Number));
    }

    [Fact]
    public async Task Numbers_booleans_and_text_come_back_as_what_they_were()
    {
        await using var harness = Harness.Create(_connectionString);
        var vin = TestVins.Next();
        var message = new TelemetryMessage(
            T0.ToUnixTimeMilliseconds(),
            Seq: 1,
            [
                new SignalSample("Vehicle.Speed", SignalValue.FromNumber(87.5)),
                new SignalSample("Vehicle.ADAS.ABS.IsEngaged", SignalValue.FromBoolean(true)),
                new SignalSample("Vehicle.Cabin.Infotainment.Media.Played.Track", SignalValue.FromText("Bohemian Rhapsody")),
                new SignalSample("Vehicle.Exterior.AirTemperature", SignalValue.FromNumber(double.NaN)),
            ],
            DateTimeOffset.UtcNow);

        Assert.Equal(4, harness.HistoryWriter.Append(vin, message));
        await harness.HistoryFlusher.FlushAsync(CancellationToken.None);

        Assert.Equal(SignalValue.FromNumber(87.5), (await QueryOneAsync(harness, vin, "Vehicle.Speed")).Value);
        Assert.Equal(SignalValue.FromBoolean(true), (await QueryOneAsync(harness, vin, "Vehicle.ADAS.ABS.IsEngaged")).Value);
        Assert.Equal(SignalValue.FromText("Bohemian Rhapsody"), (await QueryOneAsync(harness, vin, "Vehicle.Cabin.Infotainment.Media.Played.Track")).Value);
        Assert.True(double.IsNaN((await QueryOneAsync(harness, vin, "Vehicle.Exterior.AirTemperature")).Value.Number));
        Assert.Equal(T0, (await QueryOneAsync(harness, vin, "Vehicle.Speed")).Ts);
    }

    [Fact]
    public async Task Hostile_signal_names_and_text_round_trip_through_copy_and_query()
    {
        await using var harness = Harness.Create(_connectionString);
        var vin = TestVins.Next();
        const string name = "Vehicle.'; DROP TABLE signal_history; --.\"Ä车🚗\\.$1";
        var text = string.Concat(Enumerable.Repeat("é\u0301 🚗 ' \" \\ \t", 50_000));

        harness.HistoryWriter.Append(new SignalHistoryRow(vin, name, T0, SignalValue.FromText(text)));
        await harness.HistoryFlusher.FlushAsync(CancellationToken.None);

        var point = await QueryOneAsync(harness, vin, name);
        Assert.Equal(text, point.Value.Text);
        Assert.True(await Sql.ScalarAsync<bool>(_connectionString, "SELECT to_regclass('signal_history') IS NOT NULL"));
    }

    [Fact]
    public async Task A_sample_PostgreSQL_refuses_is_counted_and_every_other_sample_of_the_batch_is_written()
    {
        await using var harness = Harness.Create(_connectionString);
        var vin = TestVins.Next();
        for (var i = 0; i < 20; i++)
        {
            var value = i switch
            {
                13 => SignalValue.FromText("nul\0byte"),
                17 => SignalValue.FromText("half \uD83D pair"),
                _ => SignalValue.FromText($"ok {i}"),
            };
            harness.HistoryWriter.Append(new SignalHistoryRow(vin, "Vehicle.Note", T0.AddMilliseconds(i), value));
        }

        await harness.HistoryFlusher.FlushAsync(CancellationToken.None);

        Assert.Equal(2, harness.Metrics.HistoryRowsRejected);
        Assert.Equal(18, harness.Metrics.HistoryRowsWritten);
        Assert.Equal(0, harness.HistoryWriter.PendingCount);
        var points = await QueryAsync(harness, vin, "Vehicle.Note", T0, T0.AddSeconds(1), 100);
        Assert.Equal(18, points.Count);
        Assert.DoesNotContain(points, p => p.Ts == T0.AddMilliseconds(13) || p.Ts == T0.AddMilliseconds(17));
    }

    [Fact]
    public async Task Samples_written_again_in_a_later_batch_leave_one_row_each_and_keep_the_stored_values()
    {
        await using var harness = Harness.Create(_connectionString);
        var vin = TestVins.Next();
        for (var i = 0; i < 10; i++)
        {
            harness.HistoryWriter.Append(new SignalHistoryRow(vin, "Vehicle.Speed", T0.AddMilliseconds(i), SignalValue.FromNumber(i)));
        }

        await harness.HistoryFlusher.FlushAsync(CancellationToken.None);

        // A replay: the same samples again, here with other values to show which row stays, and five new ones after them.
        for (var i = 0; i < 15; i++)
        {
            harness.HistoryWriter.Append(new SignalHistoryRow(vin, "Vehicle.Speed", T0.AddMilliseconds(i), SignalValue.FromNumber(100 + i)));
        }

        await harness.HistoryFlusher.FlushAsync(CancellationToken.None);

        var points = await QueryAsync(harness, vin, "Vehicle.Speed", T0, T0.AddSeconds(1), 100);
        Assert.Equal(Enumerable.Range(0, 15).Select(i => T0.AddMilliseconds(i)), points.Select(p => p.Ts));
        Assert.Equal([.. Enumerable.Range(0, 10).Select(i => (double)i), .. Enumerable.Range(110, 5).Select(i => (double)i)], points.Select(p => p.Value.Number));
        Assert.Equal(25, harness.Metrics.HistoryRowsWritten);
        Assert.Equal(10, harness.Metrics.HistoryRowsSkippedAsDuplicates);
        Assert.Equal(0, harness.Metrics.HistoryRowsRejected);
        Assert.Equal(0, harness.HistoryWriter.PendingCount);
    }

    [Fact]
    public async Task A_replay_is_written_the_careful_way_until_a_batch_holds_no_sample_already_stored()
    {
        await using var harness = Harness.Create(_connectionString);
        var vin = TestVins.Next();
        async Task WriteAsync(int from, int to)
        {
            for (var i = from; i < to; i++)
            {
                harness.HistoryWriter.Append(new SignalHistoryRow(vin, "Vehicle.Speed", T0.AddMilliseconds(i), SignalValue.FromNumber(i)));
            }

            await harness.HistoryFlusher.FlushAsync(CancellationToken.None);
        }

        await WriteAsync(0, 10);
        Assert.False(harness.HistoryWriter.ExpectsDuplicates);

        await WriteAsync(5, 15);
        Assert.True(harness.HistoryWriter.ExpectsDuplicates);
        Assert.Equal(5, harness.Metrics.HistoryRowsSkippedAsDuplicates);

        await WriteAsync(15, 20);
        Assert.False(harness.HistoryWriter.ExpectsDuplicates);
        Assert.Equal(5, harness.Metrics.HistoryRowsSkippedAsDuplicates);
        Assert.Equal(20, harness.Metrics.HistoryRowsWritten - harness.Metrics.HistoryRowsSkippedAsDuplicates);
        Assert.Equal(20L, await Sql.ScalarAsync<long>(_connectionString, "SELECT count(*) FROM signal_history WHERE vin = $1", vin));
    }

    [Fact]
    public async Task The_same_sample_twice_within_one_batch_leaves_one_row_the_first_appended()
    {
        await using var harness = Harness.Create(_connectionString);
        var vin = TestVins.Next();
        harness.HistoryWriter.Append(new SignalHistoryRow(vin, "Vehicle.Speed", T0, SignalValue.FromNumber(1)));
        harness.HistoryWriter.Append(new SignalHistoryRow(vin, "Vehicle.TraveledDistance", T0, SignalValue.FromNumber(7)));
        harness.HistoryWriter.Append(new SignalHistoryRow(vin, "Vehicle.Speed", T0, SignalValue.FromNumber(2)));
        harness.HistoryWriter.Append(new SignalHistoryRow(vin, "Vehicle.Speed", T0.AddMilliseconds(1), SignalValue.FromNumber(3)));
        harness.HistoryWriter.Append(new SignalHistoryRow(vin, "Vehicle.Speed", T0, SignalValue.FromNumber(4)));

        await harness.HistoryFlusher.FlushAsync(CancellationToken.None);

        var points = await QueryAsync(harness, vin, "Vehicle.Speed", T0, T0.AddSeconds(1), 100);
        Assert.Equal([(T0, 1.0), (T0.AddMilliseconds(1), 3.0)], points.Select(p => (p.Ts, p.Value.Number)));
        Assert.Equal(7.0, (await QueryOneAsync(harness, vin, "Vehicle.TraveledDistance")).Value.Number);
        Assert.Equal(5, harness.Metrics.HistoryRowsWritten);
        Assert.Equal(2, harness.Metrics.HistoryRowsSkippedAsDuplicates);
        Assert.Equal(0, harness.Metrics.HistoryRowsRejected);
    }

    [Fact]
    public async Task Waiting_for_history_to_be_written_ends_once_a_replayed_batch_has_been_skipped()
    {
        await using var harness = Harness.Create(_connectionString);
        var vin = TestVins.Next();
        var message = new TelemetryMessage(
            T0.ToUnixTimeMilliseconds(),
            Seq: 1,
            [new SignalSample("Vehicle.Speed", SignalValue.FromNumber(50)), new SignalSample("Vehicle.TraveledDistance", SignalValue.FromNumber(1234))],
            DateTimeOffset.UtcNow);
        harness.HistoryWriter.Append(vin, message);
        await harness.HistoryFlusher.FlushAsync(CancellationToken.None);

        // The document applied a second time, as after a crash that lost its snapshot; the barrier is taken after it.
        Assert.Equal(2, harness.HistoryWriter.Append(vin, message));
        var written = harness.HistoryWriter.WhenWrittenAsync(CancellationToken.None).AsTask();
        Assert.False(written.IsCompleted, "the replayed samples are not settled before they are written");

        await harness.HistoryFlusher.FlushAsync(CancellationToken.None);

        await written.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, harness.Metrics.HistoryRowsSkippedAsDuplicates);
        Assert.Equal(2L, await Sql.ScalarAsync<long>(_connectionString, "SELECT count(*) FROM signal_history WHERE vin = $1", vin));
    }

    [Fact]
    public async Task A_refused_sample_among_samples_already_stored_is_dropped_alone_and_the_others_settle()
    {
        await using var harness = Harness.Create(_connectionString);
        var vin = TestVins.Next();
        for (var i = 0; i < 10; i++)
        {
            harness.HistoryWriter.Append(new SignalHistoryRow(vin, "Vehicle.Note", T0.AddMilliseconds(i), SignalValue.FromText($"ok {i}")));
        }

        await harness.HistoryFlusher.FlushAsync(CancellationToken.None);

        // The ten again, and ten new ones of which one cannot be stored: halving finds it among the duplicates.
        for (var i = 0; i < 20; i++)
        {
            var value = i == 13 ? SignalValue.FromText("nul\0byte") : SignalValue.FromText($"ok {i}");
            harness.HistoryWriter.Append(new SignalHistoryRow(vin, "Vehicle.Note", T0.AddMilliseconds(i), value));
        }

        var written = harness.HistoryWriter.WhenWrittenAsync(CancellationToken.None).AsTask();
        await harness.HistoryFlusher.FlushAsync(CancellationToken.None);
        await written.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, harness.Metrics.HistoryRowsRejected);
        Assert.Equal(10, harness.Metrics.HistoryRowsSkippedAsDuplicates);
        Assert.Equal(29, harness.Metrics.HistoryRowsWritten);
        Assert.Equal(0, harness.HistoryWriter.PendingCount);
        var points = await QueryAsync(harness, vin, "Vehicle.Note", T0, T0.AddSeconds(1), 100);
        Assert.Equal(Enumerable.Range(0, 20).Where(i => i != 13).Select(i => T0.AddMilliseconds(i)), points.Select(p => p.Ts));
    }

    [Fact]
    public async Task Reaching_the_history_bound_drops_and_counts_further_samples()
    {
        await using var harness = Harness.Create(_connectionString, o => o.MaxPendingHistoryRows = 5);
        var vin = TestVins.Next();

        var accepted = Enumerable.Range(0, 8)
            .Count(i => harness.HistoryWriter.Append(new SignalHistoryRow(vin, "Vehicle.Speed", T0.AddMilliseconds(i), SignalValue.FromNumber(i))));
        await harness.HistoryFlusher.FlushAsync(CancellationToken.None);

        Assert.Equal(5, accepted);
        Assert.Equal(3, harness.Metrics.HistoryRowsDropped);
        Assert.Equal(5L, await Sql.ScalarAsync<long>(_connectionString, "SELECT count(*) FROM signal_history WHERE vin = $1", vin));
    }

    [Fact]
    public async Task Telemetry_finds_no_room_once_all_but_a_twentieth_of_the_bound_waits_and_room_again_once_it_is_written()
    {
        await using var harness = Harness.Create(_connectionString, o => o.MaxPendingHistoryRows = 100);
        var vin = TestVins.Next();
        Assert.True(harness.HistoryWriter.HasRoomFor(95));

        for (var i = 0; i < 90; i++)
        {
            Assert.True(harness.HistoryWriter.Append(new SignalHistoryRow(vin, "Vehicle.Speed", T0.AddMilliseconds(i), SignalValue.FromNumber(i))));
        }

        Assert.True(harness.HistoryWriter.HasRoomFor(5));
        Assert.False(harness.HistoryWriter.HasRoomFor(6));
        var waiting = harness.HistoryWriter.WhenRoomForAsync(6, CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);

        await harness.HistoryFlusher.FlushAsync(CancellationToken.None);

        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(harness.HistoryWriter.HasRoomFor(95));
        Assert.Equal(0, harness.Metrics.HistoryRowsDropped);
    }

    [Fact]
    public async Task Waiting_for_room_while_the_database_is_away_ends_when_cancelled_and_drops_nothing()
    {
        await using var proxy = TcpProxy.To(_connectionString);
        await using var harness = Harness.Create(proxy.Route(_connectionString) + ";Timeout=2", o => o.MaxPendingHistoryRows = 20);
        var vin = TestVins.Next();
        proxy.Cut();
        await harness.HistoryFlusher.StartAsync(CancellationToken.None);
        for (var i = 0; i < 19; i++)
        {
            harness.HistoryWriter.Append(new SignalHistoryRow(vin, "Vehicle.Speed", T0.AddMilliseconds(i), SignalValue.FromNumber(i)));
        }

        using var giveUp = new CancellationTokenSource();
        var waiting = harness.HistoryWriter.WhenRoomForAsync(1, giveUp.Token).AsTask();
        await Eventually.TrueAsync(() => harness.Metrics.HistoryWriteFailures >= 1, "a history write has failed");
        Assert.False(waiting.IsCompleted);

        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);

        proxy.Restore();
        await Eventually.TrueAsync(() => harness.HistoryWriter.PendingCount == 0, "the backlog is written");
        await harness.HistoryFlusher.StopAsync(CancellationToken.None);
        Assert.Equal(0, harness.Metrics.HistoryRowsDropped);
        Assert.Equal(19L, await Sql.ScalarAsync<long>(_connectionString, "SELECT count(*) FROM signal_history WHERE vin = $1", vin));
    }

    [Fact]
    public async Task History_appended_while_the_database_is_away_arrives_once_and_only_once_when_it_returns()
    {
        await using var proxy = TcpProxy.To(_connectionString);
        await using var harness = Harness.Create(proxy.Route(_connectionString) + ";Timeout=2", o => o.HistoryBatchSize = 7);
        var vin = TestVins.Next();
        proxy.Cut();
        await harness.HistoryFlusher.StartAsync(CancellationToken.None);
        for (var i = 0; i < 30; i++)
        {
            harness.HistoryWriter.Append(new SignalHistoryRow(vin, "Vehicle.Speed", T0.AddMilliseconds(i), SignalValue.FromNumber(i)));
        }

        await Eventually.TrueAsync(() => harness.Metrics.HistoryWriteFailures >= 2, "history writes have failed");
        Assert.Equal(30, harness.HistoryWriter.PendingCount);
        Assert.True(harness.Health.IsDegraded);

        proxy.Restore();

        await Eventually.TrueAsync(() => harness.HistoryWriter.PendingCount == 0, "the backlog is written");
        await harness.HistoryFlusher.StopAsync(CancellationToken.None);
        Assert.Equal(30L, await Sql.ScalarAsync<long>(_connectionString, "SELECT count(*) FROM signal_history WHERE vin = $1", vin));
        Assert.Equal(30L, await Sql.ScalarAsync<long>(_connectionString, "SELECT count(DISTINCT ts) FROM signal_history WHERE vin = $1", vin));
        Assert.False(harness.Health.IsDegraded);
    }

    [Fact]
    public async Task Retention_deletes_samples_older_than_the_retention_and_keeps_the_rest()
    {
        await using var harness = Harness.Create(_connectionString, o => o.HistoryRetention = TimeSpan.FromDays(7));
        var vin = TestVins.Next();
        var now = DateTimeOffset.UtcNow;
        harness.HistoryWriter.Append(new SignalHistoryRow(vin, "Vehicle.Speed", now.AddDays(-30), SignalValue.FromNumber(1)));
        harness.HistoryWriter.Append(new SignalHistoryRow(vin, "Vehicle.Speed", now.AddDays(-7).AddMinutes(-1), SignalValue.FromNumber(2)));
        harness.HistoryWriter.Append(new SignalHistoryRow(vin, "Vehicle.Speed", now.AddDays(-7).AddMinutes(5), SignalValue.FromNumber(3)));
        harness.HistoryWriter.Append(new SignalHistoryRow(vin, "Vehicle.Speed", now, SignalValue.FromNumber(4)));
        await harness.HistoryFlusher.FlushAsync(CancellationToken.None);

        var deleted = await harness.Retention.DeleteExpiredAsync(CancellationToken.None);

        Assert.Equal(2, deleted);
        var left = await QueryAsync(harness, vin, "Vehicle.Speed", now.AddYears(-1), now.AddMinutes(1), 100);
        Assert.Equal([3.0, 4.0], left.Select(p => p.Value.Number));
    }

    [Fact]
    public async Task The_range_query_is_answered_from_the_vin_signal_ts_index()
    {
        await using var harness = Harness.Create(_connectionString);
        var vin = TestVins.Next();
        harness.HistoryWriter.Append(new SignalHistoryRow(vin, "Vehicle.Speed", T0, SignalValue.FromNumber(1)));
        await harness.HistoryFlusher.FlushAsync(CancellationToken.None);

        // A tiny table would be scanned anyway; forbidding that shows the index can serve exactly this query.
        await using var connection = await harness.DataSource.OpenConnectionAsync();
        await using (var off = new Npgsql.NpgsqlCommand("SET enable_seqscan = off; SET enable_bitmapscan = off", connection))
        {
            await off.ExecuteNonQueryAsync();
        }

        await using var explain = new Npgsql.NpgsqlCommand(
            "EXPLAIN SELECT ts FROM signal_history WHERE vin = $1 AND signal = $2 AND ts >= $3 AND ts <= $4 ORDER BY ts LIMIT 100",
            connection);
        explain.Parameters.Add(new Npgsql.NpgsqlParameter { Value = vin });
        explain.Parameters.Add(new Npgsql.NpgsqlParameter { Value = "Vehicle.Speed" });
        explain.Parameters.Add(new Npgsql.NpgsqlParameter { Value = T0.UtcDateTime });
        explain.Parameters.Add(new Npgsql.NpgsqlParameter { Value = T0.AddHours(1).UtcDateTime });
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(0));
            }
        }

        // Each partition's share of signal_history_vin_signal_ts is named after the partition.
        Assert.Contains(plan, line => line.Contains("Scan using signal_history_", StringComparison.Ordinal) && line.Contains("_vin_signal_ts", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, line => line.Contains("Sort", StringComparison.Ordinal));
    }

    private static DateTimeOffset WholeMilliseconds(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    private static async Task<Point> QueryOneAsync(Harness harness, string vin, string signal) =>
        Assert.Single(await QueryAsync(harness, vin, signal, T0.AddDays(-1), T0.AddDays(1), 10));

    /// <summary>The reader's query (both ends included), its points' times read back as instants.</summary>
    private static async Task<List<Point>> QueryAsync(Harness harness, string vin, string signal, DateTimeOffset from, DateTimeOffset to, int limit)
    {
        var points = await harness.HistoryReader.QueryAsync(vin, signal, from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds(), limit, CancellationToken.None);
        return points.Select(p => new Point(DateTimeOffset.FromUnixTimeMilliseconds(p.Ts), p.Value)).ToList();
    }

    private readonly record struct Point(DateTimeOffset Ts, SignalValue Value);
}
