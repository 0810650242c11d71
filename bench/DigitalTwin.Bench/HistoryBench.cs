using System.Diagnostics;
using System.Globalization;
using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Persistence;
using DigitalTwin.Persistence.Diagnostics;
using DigitalTwin.Persistence.History;
using DigitalTwin.Persistence.Migrations;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DigitalTwin.Bench;

/// <summary>
/// How many history rows a second <see cref="SignalHistoryWriter"/> gets into PostgreSQL, so that a change to how it
/// writes can be compared before and after: the production writer with its default options against a throwaway server
/// with PostgreSQL's durability defaults (every batch's commit waits for an fsync). A fleet of cars sends
/// <see cref="SignalNames"/> signals a second; a round queues five seconds of it and times writing them all, so the
/// table grows by one round at a time, as in production. One untimed round warms up; a last round queues the previous
/// round again, as a replay after a crash would.
/// </summary>
public sealed class HistoryBench(BenchOptions options, string command, TextWriter output)
{
    private const int SecondsPerRound = 5;

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

    private int Cars => options.Smoke ? 200 : 2_000;

    private int TimedRounds => options.Smoke ? 2 : 10;

    private int RowsPerRound => Cars * SecondsPerRound * SignalNames.Length;

    public async Task<int> RunAsync(CancellationToken cancel)
    {
        Say($"== DigitalTwin bench: signal history write throughput{(options.Smoke ? " (SMOKE: figures are not results)" : string.Empty)} ==");
        Say(command);
        var machine = MachineInfo.Current();
        Say(F($"machine: {machine.Cores} cores, {machine.MemoryGiB} GiB, {machine.Os}, {machine.Runtime}; load average {MachineInfo.LoadAverage()} at start"));
        await using var server = await BenchPostgres.StartAsync([], cancel);
        var connectionString = await server.CreateDatabaseAsync("history_bench");
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await new SchemaMigrator(dataSource, NullLogger<SchemaMigrator>.Instance).MigrateAsync(cancel);
        var metrics = new PersistenceMetrics();
        var writerOptions = BenchPersistenceOptions.FromEnvironment();
        // The partitions a silo creates at start-up (SignalHistoryRetention's first round): today's samples go to
        // today's partition, not the default one.
        await new SignalHistoryPartitions(dataSource, Options.Create(writerOptions), NullLogger<SignalHistoryPartitions>.Instance).EnsureAsync(DateTimeOffset.UtcNow, cancel);
        var writer = new SignalHistoryWriter(dataSource, Options.Create(writerOptions), metrics, NullLogger<SignalHistoryWriter>.Instance);
        var vins = Enumerable.Range(0, Cars).Select(i => F($"WDDHIST{i:D10}")).ToArray();
        var firstSecond = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds();

        var warmUp = await RoundAsync(writer, metrics, vins, firstSecond, 0, cancel);
        Say(F($"warm-up round: {RowsPerRound:N0} rows in {warmUp.TotalMilliseconds:N0} ms"));
        var rates = new List<double>();
        for (var round = 1; round <= TimedRounds; round++)
        {
            var elapsed = await RoundAsync(writer, metrics, vins, firstSecond, round, cancel);
            rates.Add(RowsPerRound / elapsed.TotalSeconds);
            Say(F($"round {round,2}: {RowsPerRound:N0} rows in {elapsed.TotalMilliseconds,6:N0} ms = {rates[^1],9:N0} rows/s"));
        }

        var replay = await RoundAsync(writer, metrics, vins, firstSecond, TimedRounds, cancel);
        var rows = await ScalarAsync<long>(dataSource, "SELECT count(*) FROM signal_history", cancel);
        var bytes = await ScalarAsync<long>(dataSource, "SELECT coalesce(sum(pg_total_relation_size(inhrelid)), 0)::bigint FROM pg_inherits WHERE inhparent = 'signal_history'::regclass", cancel);
        var sorted = rates.Order().ToArray();
        Say(F($"median {sorted[sorted.Length / 2]:N0} rows/s, slowest {sorted[0]:N0}, fastest {sorted[^1]:N0} ({TimedRounds} rounds of {RowsPerRound:N0} rows, batches of {writerOptions.HistoryBatchSize:N0})"));
        Say(F($"replay of the last round: {RowsPerRound:N0} rows in {replay.TotalMilliseconds:N0} ms = {RowsPerRound / replay.TotalSeconds:N0} rows/s"));
        Say(F($"table afterwards: {rows:N0} rows for {(TimedRounds + 1) * RowsPerRound:N0} distinct samples, {bytes / (1024.0 * 1024):N0} MiB with its indexes"));
        Say($"server: {await ScalarAsync<string>(dataSource, "SELECT version()", cancel)}; load average {MachineInfo.LoadAverage()} at end");

        // A replay that left a duplicate, or a round that lost rows, is a broken writer, not a slow one.
        var expected = (long)(TimedRounds + 1) * RowsPerRound;
        if (rows != expected)
        {
            Say(F($"FAILED: {rows:N0} rows in signal_history, expected {expected:N0}"));
            return 1;
        }

        return 0;
    }

    /// <summary>Queues the samples of one round, then times writing them all as the flusher would, batch after batch.</summary>
    private async Task<TimeSpan> RoundAsync(SignalHistoryWriter writer, PersistenceMetrics metrics, string[] vins, long firstSecond, int round, CancellationToken cancel)
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
                    if (!writer.Append(new SignalHistoryRow(vins[car], SignalNames[signal], ts, ValueOf(signal, car, sampledAt))))
                    {
                        throw new InvalidOperationException("the history writer refused a sample: its queue bound is below one round");
                    }
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
            await writer.WriteNextBatchAsync(cancel);
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        if (metrics.HistoryRowsWritten - writtenBefore != RowsPerRound || metrics.HistoryRowsRejected != rejectedBefore)
        {
            throw new InvalidOperationException(F($"round {round}: {metrics.HistoryRowsWritten - writtenBefore:N0} rows written, {metrics.HistoryRowsRejected - rejectedBefore:N0} rejected, of {RowsPerRound:N0}"));
        }

        return elapsed;
    }

    private static SignalValue ValueOf(int signal, int car, long second) => (SignalNames.Length - signal) switch
    {
        1 => SignalValue.FromText(car % 3 == 0 ? "BLUETOOTH" : "FM"),
        2 or 3 or 4 => SignalValue.FromBoolean(((car + second) & 1) == 0),
        _ => SignalValue.FromNumber(car + (second % 100 * 0.25) + signal),
    };

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource dataSource, string sql, CancellationToken cancel)
    {
        await using var command = dataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync(cancel))!;
    }

    private void Say(string line) => output.WriteLine(line);

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
