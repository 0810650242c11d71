using System.Diagnostics;
using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Persistence.Diagnostics;
using DigitalTwin.Persistence.History;
using DigitalTwin.Persistence.Migrations;
using DigitalTwin.Persistence.Tests.Support;
using DigitalTwin.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Xunit.Abstractions;

namespace DigitalTwin.Persistence.Tests;

/// <summary>
/// How many history rows a second <see cref="SignalHistoryWriter"/> gets into PostgreSQL, so that a change to how it
/// writes can be compared before and after. The production writer with its default options (batches of
/// <see cref="PostgresPersistenceOptions.HistoryBatchSize"/>) against a throwaway server of its own with PostgreSQL's
/// durability defaults, as the bench program's flush scenario uses: every batch's commit waits for an fsync.
/// <para>
/// A fleet of <see cref="Cars"/> cars sends <see cref="SignalNames"/> signals a second; a round queues
/// <see cref="RowsPerRound"/> of those samples (the next five seconds of the fleet) and times writing them all, so the
/// table grows by one round at a time, as it does in production. One untimed round warms up. A last round queues the
/// previous round's samples again, as a replay after a crash would.
/// </para>
/// </summary>
public sealed class SignalHistoryThroughputBenchmark(ITestOutputHelper output)
{
    private const int Cars = 2_000;
    private const int SecondsPerRound = 5;
    private const int TimedRounds = 10;
    private const int RowsPerRound = Cars * SecondsPerRound * 20;

    // Real VSS paths; the last four are three flags and a text, the others numbers.
    private static readonly string[] SignalNames =
    [
        "Vehicle.Speed",
        "Vehicle.TraveledDistance",
        "Vehicle.CurrentLocation.Latitude",
        "Vehicle.CurrentLocation.Longitude",
        "Vehicle.CurrentLocation.Heading",
        "Vehicle.Acceleration.Longitudinal",
        "Vehicle.Acceleration.Lateral",
        "Vehicle.Acceleration.Vertical",
        "Vehicle.Powertrain.TractionBattery.StateOfCharge.Current",
        "Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit",
        "Vehicle.Powertrain.Range",
        "Vehicle.Powertrain.Transmission.CurrentGear",
        "Vehicle.Exterior.AirTemperature",
        "Vehicle.Cabin.HVAC.AmbientAirTemperature",
        "Vehicle.Chassis.SteeringWheel.Angle",
        "Vehicle.OBD.EngineLoad",
        "Vehicle.Body.Lights.Beam.Low.IsOn",
        "Vehicle.ADAS.ABS.IsEngaged",
        "Vehicle.Cabin.Seat.Row1.DriverSide.IsOccupied",
        "Vehicle.Cabin.Infotainment.Media.Played.Source",
    ];

    [BenchmarkFact]
    public async Task History_rows_are_written_into_a_durable_server_round_after_round()
    {
        await using var server = await PostgresServer.StartAsync(new PostgresServerOptions { UseConfiguredServer = false, Durable = true });
        var connectionString = await server.CreateDatabaseAsync("history_bench");
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await new SchemaMigrator(dataSource, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        var metrics = new PersistenceMetrics();
        var writer = new SignalHistoryWriter(dataSource, Options.Create(new PostgresPersistenceOptions()), metrics, NullLogger<SignalHistoryWriter>.Instance);
        var vins = Enumerable.Range(0, Cars).Select(_ => TestVins.Next()).ToArray();
        var firstSecond = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds();

        var warmUp = await RoundAsync(writer, metrics, vins, firstSecond, 0);
        Say($"warm-up round: {RowsPerRound:N0} rows in {warmUp.TotalMilliseconds:N0} ms");
        var rates = new List<double>();
        for (var round = 1; round <= TimedRounds; round++)
        {
            var elapsed = await RoundAsync(writer, metrics, vins, firstSecond, round);
            rates.Add(RowsPerRound / elapsed.TotalSeconds);
            Say($"round {round,2}: {RowsPerRound:N0} rows in {elapsed.TotalMilliseconds,6:N0} ms = {rates[^1],9:N0} rows/s");
        }

        var replay = await RoundAsync(writer, metrics, vins, firstSecond, TimedRounds);
        var rows = await ScalarAsync<long>(dataSource, "SELECT count(*) FROM signal_history");
        var bytes = await ScalarAsync<long>(dataSource, "SELECT pg_total_relation_size('signal_history')");
        var sorted = rates.Order().ToArray();
        Say($"median {sorted[sorted.Length / 2]:N0} rows/s, slowest {sorted[0]:N0}, fastest {sorted[^1]:N0} ({TimedRounds} rounds of {RowsPerRound:N0} rows, batches of {new PostgresPersistenceOptions().HistoryBatchSize:N0})");
        Say($"replay of the last round: {RowsPerRound:N0} rows in {replay.TotalMilliseconds:N0} ms = {RowsPerRound / replay.TotalSeconds:N0} rows/s");
        Say($"table afterwards: {rows:N0} rows for {(TimedRounds + 1) * RowsPerRound:N0} distinct samples, {bytes / (1024.0 * 1024):N0} MiB with its indexes");
        Say($"server: {await ScalarAsync<string>(dataSource, "SELECT version()")}; load average {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    /// <summary>Queues the samples of one round, then times writing them all as the flusher would, batch after batch.</summary>
    private static async Task<TimeSpan> RoundAsync(SignalHistoryWriter writer, PersistenceMetrics metrics, string[] vins, long firstSecond, int round)
    {
        for (var second = 0; second < SecondsPerRound; second++)
        {
            var sampledAt = firstSecond + (round * SecondsPerRound) + second;
            for (var car = 0; car < vins.Length; car++)
            {
                for (var signal = 0; signal < SignalNames.Length; signal++)
                {
                    // Each signal sampled at its own moment within the second, as a car's sensors are.
                    var ts = DateTimeOffset.FromUnixTimeMilliseconds((sampledAt * 1000) + (signal * 40));
                    Assert.True(writer.Append(new SignalHistoryRow(vins[car], SignalNames[signal], ts, ValueOf(signal, car, sampledAt))));
                }
            }
        }

        // Queueing's garbage is the benchmark's, not the writer's.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
        GC.WaitForPendingFinalizers();

        var (writtenBefore, rejectedBefore) = (metrics.HistoryRowsWritten, metrics.HistoryRowsRejected);
        var started = Stopwatch.GetTimestamp();
        while (writer.PendingCount > 0)
        {
            await writer.WriteNextBatchAsync(CancellationToken.None);
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        Assert.Equal(RowsPerRound, metrics.HistoryRowsWritten - writtenBefore);
        Assert.Equal(0, metrics.HistoryRowsRejected - rejectedBefore);
        return elapsed;
    }

    private static SignalValue ValueOf(int signal, int car, long second) => (SignalNames.Length - signal) switch
    {
        1 => SignalValue.FromText(car % 3 == 0 ? "BLUETOOTH" : "FM"),
        2 or 3 or 4 => SignalValue.FromBoolean(((car + second) & 1) == 0),
        _ => SignalValue.FromNumber(car + (second % 100 * 0.25) + signal),
    };

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private void Say(string line) => output.WriteLine(line);
}
