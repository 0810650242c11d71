using System.Diagnostics;
using System.Globalization;
using DigitalTwin.Grains.Abstractions.Telemetry;
using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Persistence;
using DigitalTwin.Persistence.Diagnostics;
using DigitalTwin.Persistence.Migrations;
using DigitalTwin.Persistence.Snapshots;
using DigitalTwin.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using DigitalTwin.Contract.Telemetry;

namespace DigitalTwin.Bench;

/// <summary>
/// The snapshot flush scenario. The production write-behind store, <see cref="PostgresTwinSnapshotStore"/>, is built
/// from the same parts as <c>AddPostgresStorage</c> builds it (a logged <see cref="NpgsqlDataSource"/>, the default
/// <see cref="PostgresPersistenceOptions"/>, <see cref="PersistenceMetrics"/>) against a fresh database that the project's
/// own <see cref="SchemaMigrator"/> has migrated. No host and no <see cref="SnapshotFlusher"/>: nothing flushes on a timer,
/// so every <c>WritePendingAsync</c> the bench times writes exactly the twins it staged.
/// <para>
/// Per twin count N: one untimed first flush inserts N rows, then each of R rounds stages N snapshots with a higher
/// version than the stored one (so each round updates every row, not a no-op) and times the one
/// <c>WritePendingAsync</c> that writes them. After the last round every row is read back and compared.
/// </para>
/// </summary>
public sealed class FlushBench(PostgresServer server, ILoggerFactory logs, Action<string> say)
{
    public const int SignalsPerTwin = 20;

    private const string VinPrefix = "WFLUSH";

    // Versions grow per round and differ per car, as they would for cars that sent different numbers of messages.
    private const int VersionsPerRound = 100;
    private const int VersionSpread = 50;

    // Real VSS paths, shared by every snapshot as the telemetry parser's interned names are in production.
    private static readonly string[] Names =
    [
        "Vehicle.Speed",
        "Vehicle.TraveledDistance",
        "Vehicle.CurrentLocation.Latitude",
        "Vehicle.CurrentLocation.Longitude",
        "Vehicle.CurrentLocation.Heading",
        "Vehicle.Acceleration.Longitudinal",
        "Vehicle.Acceleration.Lateral",
        "Vehicle.Acceleration.Vertical",
        "Vehicle.ADAS.LaneDepartureDetection.IsWarning",
        "Vehicle.ADAS.ABS.IsEngaged",
        "Vehicle.Powertrain.TractionBattery.StateOfCharge.Current",
        "Vehicle.Powertrain.TractionBattery.Charging.IsCharging",
        "Vehicle.Powertrain.TractionBattery.Charging.IsChargingCableConnected",
        "Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit",
        "Vehicle.Powertrain.Range",
        "Vehicle.Powertrain.Transmission.CurrentGear",
        "Vehicle.Exterior.AirTemperature",
        "Vehicle.Cabin.HVAC.AmbientAirTemperature",
        "Vehicle.Cabin.Seat.Row1.DriverSide.IsOccupied",
        "Vehicle.Cabin.Infotainment.Media.Played.Source",
    ];

    private static readonly string[] MediaSources = ["FM", "DAB", "BLUETOOTH", "INTERNET", "USB"];

    // Cars that sample in the same second still sample each signal at a slightly different moment.
    private const long SignalSpacingMs = 40;

    /// <summary>The server's version and the settings that decide how fast a flush can commit.</summary>
    public async Task<string> DescribeServerAsync(CancellationToken cancel)
    {
        await using var admin = NpgsqlDataSource.Create(server.ConnectionString);
        await using var command = admin.CreateCommand(
            "SELECT current_setting('server_version'), current_setting('synchronous_commit'), current_setting('fsync'), current_setting('shared_buffers'), current_setting('max_wal_size')");
        await using var reader = await command.ExecuteReaderAsync(cancel);
        await reader.ReadAsync(cancel);
        return F($"PostgresTwinSnapshotStore.WritePendingAsync into PostgreSQL {reader.GetString(0)} (initdb defaults: synchronous_commit={reader.GetString(1)}, fsync={reader.GetString(2)}, shared_buffers={reader.GetString(3)}, max_wal_size={reader.GetString(4)}), a fresh database per twin count migrated by SchemaMigrator");
    }

    public async Task<FlushResult> RunAsync(int twins, int rounds, CancellationToken cancel)
    {
        var database = F($"flush_{twins}");
        await using var admin = NpgsqlDataSource.Create(server.ConnectionString);
        await ExecuteAsync(admin, $"CREATE DATABASE {database}", cancel);
        try
        {
            var connectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = database }.ConnectionString;
            await using var dataSource = new NpgsqlDataSourceBuilder(connectionString).UseLoggerFactory(logs).Build();
            await new SchemaMigrator(dataSource, logs.CreateLogger<SchemaMigrator>()).MigrateAsync(cancel);
            return await MeasureAsync(dataSource, twins, rounds, cancel);
        }
        finally
        {
            // The next twin count gets a fresh database and the disk back; FORCE ends what the pool still holds open.
            // If this fails (the server is gone, the run was interrupted), the whole cluster is deleted anyway.
            try
            {
                await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)", CancellationToken.None);
            }
            catch (NpgsqlException)
            {
            }
        }
    }

    private async Task<FlushResult> MeasureAsync(NpgsqlDataSource dataSource, int twins, int rounds, CancellationToken cancel)
    {
        var options = BenchPersistenceOptions.FromEnvironment();
        var metrics = new PersistenceMetrics();
        var store = new PostgresTwinSnapshotStore(dataSource, Options.Create(options), metrics, logs.CreateLogger<PostgresTwinSnapshotStore>());
        var vins = Enumerable.Range(1, twins).Select(n => Fleet.VinOf(VinPrefix, n)).ToArray();
        var firstTs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        // Round 0 creates the rows (INSERT); it also warms the JIT and the connection pool, so it is not a timed round.
        var (insert, _) = await FlushRoundAsync(store, metrics, vins, 0, firstTs, cancel);
        say(F($"[flush] {twins:N0} twins: first flush (insert) {insert.TotalMilliseconds:N0} ms; batches of {options.SnapshotBatchSize:N0}, {options.SnapshotWriteConnections} connection(s); load average {MachineInfo.LoadAverage()}"));

        var durations = new List<double>(rounds);
        var statements = new List<long>(rounds);
        for (var round = 1; round <= rounds; round++)
        {
            var (elapsed, roundStatements) = await FlushRoundAsync(store, metrics, vins, round, firstTs, cancel);
            durations.Add(elapsed.TotalMilliseconds);
            statements.Add(roundStatements);
        }

        say(F($"[flush] {twins:N0} twins: {rounds} rounds, ms: {string.Join(", ", durations.Select(d => d.ToString("0", CultureInfo.InvariantCulture)))}; load average {MachineInfo.LoadAverage()}"));
        var (verified, verification) = await VerifyAsync(dataSource, store, vins, rounds, firstTs, cancel);
        var (jsonBytes, tableBytes) = await SizesAsync(dataSource, cancel);

        var sorted = durations.Order().ToArray();
        var p50 = Percentile(sorted, 0.50);
        var p99 = Percentile(sorted, 0.99);
        var meanStatements = statements.Average();
        return new FlushResult(
            twins,
            SignalsPerTwin,
            rounds,
            options.SnapshotBatchSize,
            Math.Round(insert.TotalMilliseconds, 1),
            Math.Round(twins / (p50 / 1000), 0),
            Math.Round(twins / (sorted[^1] / 1000), 0),
            Math.Round(p50, 1),
            Math.Round(p99, 1),
            Math.Round(durations.Average(), 1),
            Math.Round(meanStatements, 2),
            Math.Round(twins / meanStatements, 1),
            Math.Round(jsonBytes, 0),
            tableBytes,
            durations.Select(d => Math.Round(d, 1)).ToArray(),
            verified,
            verification);
    }

    /// <summary>Stages one snapshot per car for this round, then times the single flush that writes them all.</summary>
    private static async Task<(TimeSpan Elapsed, long Statements)> FlushRoundAsync(
        PostgresTwinSnapshotStore store, PersistenceMetrics metrics, string[] vins, int round, long firstTs, CancellationToken cancel)
    {
        var droppedBefore = metrics.SnapshotsDropped;
        for (var car = 0; car < vins.Length; car++)
        {
            store.Stage(SnapshotOf(vins[car], car, round, firstTs));
        }

        if (store.PendingCount != vins.Length || metrics.SnapshotsDropped != droppedBefore)
        {
            throw new InvalidOperationException(F($"round {round}: {store.PendingCount:N0} of {vins.Length:N0} snapshots pending after staging, {metrics.SnapshotsDropped - droppedBefore:N0} dropped"));
        }

        // The staging's garbage is the bench's, not the flush's: collect it before the clock starts.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
        GC.WaitForPendingFinalizers();

        var rowsBefore = metrics.SnapshotRowsWritten;
        var statementsBefore = metrics.SnapshotStatements;
        var staleBefore = metrics.SnapshotsStale;
        var rejectedBefore = metrics.SnapshotsRejected;
        var started = Stopwatch.GetTimestamp();
        await store.WritePendingAsync(cancel);
        var elapsed = Stopwatch.GetElapsedTime(started);

        var rows = metrics.SnapshotRowsWritten - rowsBefore;
        var stale = metrics.SnapshotsStale - staleBefore;
        var rejected = metrics.SnapshotsRejected - rejectedBefore;
        if (rows != vins.Length || store.PendingCount != 0 || stale != 0 || rejected != 0)
        {
            throw new InvalidOperationException(F($"round {round}: the flush wrote {rows:N0} of {vins.Length:N0} rows, {store.PendingCount:N0} still pending, {stale:N0} stale, {rejected:N0} rejected"));
        }

        return (elapsed, metrics.SnapshotStatements - statementsBefore);
    }

    /// <summary>
    /// After the last round: exactly N rows, each with the last staged version, speed and 20 signals; and for a sample of
    /// cars the whole snapshot as the store itself loads it.
    /// </summary>
    private static async Task<(bool Passed, string Detail)> VerifyAsync(
        NpgsqlDataSource dataSource, PostgresTwinSnapshotStore store, string[] vins, int lastRound, long firstTs, CancellationToken cancel)
    {
        var index = new Dictionary<string, int>(vins.Length, StringComparer.Ordinal);
        for (var car = 0; car < vins.Length; car++)
        {
            index[vins[car]] = car;
        }

        var seen = new bool[vins.Length];
        long rows = 0, unknown = 0, wrongVersion = 0, wrongSpeed = 0, wrongSignalCount = 0;
        await using (var command = dataSource.CreateCommand(
            "SELECT vin, version, (signals -> 'Vehicle.Speed' ->> 'value')::float8, (SELECT count(*) FROM jsonb_object_keys(signals))::int FROM vehicle_snapshots"))
        await using (var reader = await command.ExecuteReaderAsync(cancel))
        {
            while (await reader.ReadAsync(cancel))
            {
                rows++;
                if (!index.TryGetValue(reader.GetString(0), out var car))
                {
                    unknown++;
                    continue;
                }

                seen[car] = true;
                wrongVersion += reader.GetInt64(1) == VersionOf(car, lastRound) ? 0 : 1;
                wrongSpeed += !reader.IsDBNull(2) && reader.GetDouble(2) == ValueOf(0, car, lastRound).Number ? 0 : 1;
                wrongSignalCount += reader.GetInt32(3) == SignalsPerTwin ? 0 : 1;
            }
        }

        var missing = seen.Count(s => !s);
        var sampled = 0;
        var wrongSnapshots = 0;
        for (var car = 0; car < vins.Length; car += Math.Max(1, vins.Length / 100))
        {
            sampled++;
            var loaded = await store.LoadAsync(vins[car], cancel);
            wrongSnapshots += loaded is not null && SameSnapshot(loaded, SnapshotOf(vins[car], car, lastRound, firstTs)) ? 0 : 1;
        }

        var passed = rows == vins.Length && unknown == 0 && missing == 0 && wrongVersion == 0 && wrongSpeed == 0 && wrongSignalCount == 0 && wrongSnapshots == 0;
        var detail = passed
            ? F($"{rows:N0} rows, every version and speed = last staged, 20 signals each; {sampled} snapshots compared whole")
            : F($"FAILED: {rows:N0} rows for {vins.Length:N0} twins, {missing:N0} missing, {unknown:N0} unknown, {wrongVersion:N0} with another version, {wrongSpeed:N0} with another speed, {wrongSignalCount:N0} without 20 signals, {wrongSnapshots} of {sampled} sampled snapshots differ");
        return (passed, detail);
    }

    private static bool SameSnapshot(TwinSnapshot loaded, TwinSnapshot staged) =>
        loaded.Version == staged.Version
        && loaded.Online == staged.Online
        && loaded.LastSeenAt == staged.LastSeenAt
        && loaded.LastTelemetrySeq == staged.LastTelemetrySeq
        && loaded.LastEventSeq == staged.LastEventSeq
        && loaded.Signals.Count == staged.Signals.Count
        && staged.Signals.All(s => loaded.Signals.TryGetValue(s.Key, out var reading) && reading == s.Value);

    private static async Task<(double SignalsJsonBytes, long TableBytes)> SizesAsync(NpgsqlDataSource dataSource, CancellationToken cancel)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT coalesce(avg(pg_column_size(signals)), 0)::float8, pg_total_relation_size('vehicle_snapshots') FROM vehicle_snapshots");
        await using var reader = await command.ExecuteReaderAsync(cancel);
        await reader.ReadAsync(cancel);
        return (reader.GetDouble(0), reader.GetInt64(1));
    }

    private static TwinSnapshot SnapshotOf(string vin, int car, int round, long firstTs)
    {
        // One second per round, as with the default Persistence:FlushInterval.
        var ts = firstTs + (round * 1000L);
        var signals = new Dictionary<string, SignalReading>(SignalsPerTwin, StringComparer.Ordinal);
        for (var signal = 0; signal < SignalsPerTwin; signal++)
        {
            signals[Names[signal]] = new SignalReading(ValueOf(signal, car, round), ts - ((SignalsPerTwin - 1 - signal) * SignalSpacingMs));
        }

        var version = VersionOf(car, round);
        return new TwinSnapshot
        {
            Vin = vin,
            Online = true,
            LastSeenAt = DateTimeOffset.FromUnixTimeMilliseconds(ts),
            Version = version,
            LastTelemetrySeq = version - 1,
            Signals = signals,
        };
    }

    private static long VersionOf(int car, int round) => ((round + 1L) * VersionsPerRound) + (car % VersionSpread);

    /// <summary>Plausible values that differ per car and move a little per round: one car in ten is parked and charging.</summary>
    private static SignalValue ValueOf(int signal, int car, int round)
    {
        var charging = car % 10 == 0;
        var stateOfCharge = charging
            ? Math.Min(100, Math.Round(20 + (car % 60) + (round * 0.5), 1))
            : Math.Round(90 - (car % 70) - (round * 0.1), 1);
        return signal switch
        {
            0 => SignalValue.FromNumber(charging ? 0 : Math.Round(30 + (((car * 37) + (round * 13)) % 1000 / 10.0), 1)),
            1 => SignalValue.FromNumber(Math.Round(5_000 + ((car * 7_919L) % 145_000) + (round * 0.027), 3)),
            2 => SignalValue.FromNumber(Math.Round(47.5 + ((car % 4_000) * 0.001) + (round * 0.00012), 6)),
            3 => SignalValue.FromNumber(Math.Round(7.0 + ((car / 4_000 % 8_000) * 0.001) + (round * 0.00015), 6)),
            4 => SignalValue.FromNumber(((car * 29) + (round * 3)) % 360),
            5 => SignalValue.FromNumber(Math.Round((((car + round) % 41) - 20) / 10.0, 1)),
            6 => SignalValue.FromNumber(Math.Round((((car * 3) + round) % 21 - 10) / 20.0, 2)),
            7 => SignalValue.FromNumber(Math.Round((((car + (round * 7)) % 11) - 5) / 100.0, 2)),
            8 => SignalValue.FromBoolean((car + round) % 97 == 0),
            9 => SignalValue.FromBoolean(((car * 5) + round) % 211 == 0),
            10 => SignalValue.FromNumber(stateOfCharge),
            11 => SignalValue.FromBoolean(charging),
            12 => SignalValue.FromBoolean(charging),
            13 => SignalValue.FromNumber(car % 3 == 0 ? 90 : 80),
            14 => SignalValue.FromNumber(Math.Round(stateOfCharge * 4_200)),
            15 => SignalValue.FromNumber(charging ? 0 : 1 + ((car + round) % 6)),
            16 => SignalValue.FromNumber(Math.Round(-5 + ((car % 60) * 0.5), 1)),
            17 => SignalValue.FromNumber(Math.Round(19 + ((car % 9) * 0.5), 1)),
            18 => SignalValue.FromBoolean(!charging),
            19 => SignalValue.FromText(MediaSources[(car + (round / 5)) % MediaSources.Length]),
            _ => throw new ArgumentOutOfRangeException(nameof(signal)),
        };
    }

    /// <summary>Nearest rank: the smallest duration that at least <paramref name="p"/> of the rounds did not exceed.</summary>
    private static double Percentile(double[] sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql, CancellationToken cancel)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(cancel);
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
