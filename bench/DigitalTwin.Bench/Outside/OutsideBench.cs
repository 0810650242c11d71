using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace DigitalTwin.Bench.Outside;

/// <summary>
/// Ingest measured from outside (<c>--outside</c>): the generator is a process of its own, and so is every target (the
/// silo as a user runs it, a stock MQTTnet server that drops, Mosquitto relaying to <c>mosquitto_sub</c>). Every
/// scenario meets every target with the same generator, one after another in one run, each target fresh; the rate is
/// counted at the target. Then the latency at half the twin's QoS 1 maximum, offered to every target alike.
/// </summary>
public sealed class OutsideBench(BenchOptions options, string command, TextWriter output)
{
    private static readonly TimeSpan GeneratorConnectTimeout = TimeSpan.FromSeconds(120);
    private readonly string _signingKey = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>(QoS, publishes in flight per car): the issue's three rows; smoke runs the first two.</summary>
    private IReadOnlyList<(int Qos, int Window)> Scenarios => options.Smoke ? [(0, 2), (1, 2)] : [(0, 2), (1, 2), (1, 10)];

    // Every target is a fresh process: it activates its twins and its hot paths go from tier-0 through instrumented code
    // to optimised code during the warm-up (on a busy machine that took more than 5 s). Smoke only shows it runs.
    private TimeSpan Warmup => options.Smoke ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(10);

    // Open loop does not wait for a slow target: a fresh silo, still compiling (300-1,000 methods/s), queued about
    // 2,200 thread-pool items in its first 13 s at half its maximum and answered them 2-3 s late, though it kept up
    // with ease once compiled (dotnet-counters, docs/benchmarks.md). Three warm-ups measure the steady state the
    // target is about; every target gets the same.
    private TimeSpan LatencyWarmup => Warmup * 3;

    public async Task<int> RunAsync(CancellationToken cancel)
    {
        var report = new OutsideReport
        {
            StartedAt = DateTimeOffset.UtcNow,
            Command = command,
            Smoke = options.Smoke,
            Machine = MachineInfo.Current(),
            Cars = options.Cars,
            SecondsPerScenario = options.Duration.TotalSeconds,
            WarmupSeconds = Warmup.TotalSeconds,
            LoadAverageAtStart = MachineInfo.LoadAverage(),
        };
        Say(F($"bench --outside: {options.Cars:N0} cars in a generator process, {options.Duration.TotalSeconds:0.#} s measured after {Warmup.TotalSeconds:0.#} s per target and scenario ({LatencyWarmup.TotalSeconds:0.#} s before latency){(options.Smoke ? " (smoke)" : "")}"));

        foreach (var (qos, window) in Scenarios)
        {
            foreach (var target in Targets())
            {
                cancel.ThrowIfCancellationRequested();
                var row = await ThroughputAsync(target, qos, window, report, cancel);
                if (row is not null)
                {
                    report.Throughput.Add(row);
                }
            }
        }

        var twinMax = report.Throughput.Where(t => t.Target == "digitaltwin" && t.Qos == 1).Select(t => t.MessagesPerSecond).DefaultIfEmpty(0).Max();
        if (twinMax > 0)
        {
            foreach (var target in Targets())
            {
                var latency = await LatencyAsync(target, twinMax / 2, report, cancel);
                if (latency is not null)
                {
                    report.Latency.Add(latency);
                }
            }
        }

        if (options.OutsideSilos.Count > 0)
        {
            await ScalingAsync(report, cancel);
        }

        report.Goals.AddRange(Goals(report));
        report.Goals.AddRange(DurabilityGoals(report));
        report.TotalSeconds = Math.Round(_clock.Elapsed.TotalSeconds, 1);
        report.LoadAverageAtEnd = MachineInfo.LoadAverage();
        Write(report);
        var path = Path.GetFullPath(options.OutPath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, new JsonSerializerOptions(OutsideJson.Options) { WriteIndented = true }), cancel);
        Say($"bench: JSON written to {path}");

        var lost = report.Throughput.Any(t => t.Check is { Passed: false });
        return report.Errors.Count > 0 || lost ? 1 : 0;
    }

    private IEnumerable<IOutsideTarget> Targets()
    {
        if (options.Runs("bare"))
        {
            yield return new BareProcessTarget();
        }

        if (options.Runs("mosquitto"))
        {
            yield return new MosquittoRelayTarget();
        }

        if (options.Runs("twin"))
        {
            yield return new TwinProcessTarget(_signingKey);
        }
    }

    private async Task<OutsideThroughput?> ThroughputAsync(IOutsideTarget target, int qos, int window, OutsideReport report, CancellationToken cancel)
    {
        var label = F($"[{target.Name} qos {qos} x{window}]");
        return await OnFreshTargetAsync(target, label, target.Name, report, async () =>
        {
            report.Targets[target.Name] = target.Description;
            var spec = new GeneratorSpec(target.Ports, options.Cars, qos, window, (Warmup + options.Duration).TotalSeconds + 0.5, 0, 0, _signingKey);
            await using var generator = await GeneratorProcess.StartAsync(spec, GeneratorConnectTimeout, cancel);

            // Fixed-length windows are the experiment itself: delays to absolute deadlines, not waits for events.
            var start = Stopwatch.GetTimestamp();
            await DelayUntilAsync(start, Warmup, cancel);
            var atStart = await target.ReceivedAsync(cancel);
            var last = atStart;
            var slowest = double.MaxValue;
            var seconds = (int)Math.Floor(options.Duration.TotalSeconds);
            for (var second = 1; second <= seconds; second++)
            {
                await DelayUntilAsync(start, Warmup + TimeSpan.FromSeconds(second), cancel);
                var now = await target.ReceivedAsync(cancel);
                slowest = Math.Min(slowest, now - last);
                last = now;
            }

            await DelayUntilAsync(start, Warmup + options.Duration, cancel);
            var atEnd = await target.ReceivedAsync(cancel);
            var generated = await generator.ResultAsync(TimeSpan.FromSeconds(90), cancel);
            var check = qos == 1 ? await target.VerifyAsync(generated, cancel) : null;
            var history = target is TwinProcessTarget twin ? await twin.HistoryAsync(cancel) : null;
            var row = new OutsideThroughput(
                target.Name,
                qos,
                window,
                Math.Round((atEnd - atStart) / options.Duration.TotalSeconds),
                seconds > 0 ? slowest : 0,
                generated.Published,
                generated.Failed,
                generated.LostConnections,
                generated.ConnectSeconds,
                check,
                history);
            var checkText = check is null ? "" : check.Passed ? ", every car's last seq in its twin" : F($", {check.CarsBehind} cars BEHIND by {check.SeqsMissing} seqs");
            var historyText = history is null ? "" : F($"; history: {history.Appended:N0} samples appended, {history.Written:N0} written {history.CatchUpSeconds:0.0} s after the end, {history.Dropped:N0} dropped, {history.Deferred:N0} publishes refused while history was full");
            Say(F($"{label} {row.MessagesPerSecond:N0} msgs/s (slowest second {row.SlowestSecond:N0}), {generated.Failed:N0} failed, {generated.LostConnections} connections lost{checkText}{historyText}"));
            return row;
        }, cancel);
    }

    /// <summary>
    /// The same generator against 1, 2, 3... silos clustered through one PostgreSQL, cars spread evenly over their MQTT
    /// ports; every silo count clustered the same way (one silo too), so only the number of silos changes.
    /// </summary>
    private async Task ScalingAsync(OutsideReport report, CancellationToken cancel)
    {
        const int qos = 1;
        const int window = 10;
        try
        {
            // Every silo's Npgsql pool may open 100 connections (its default Maximum Pool Size) when a thousand twins
            // activate at once; PostgreSQL's default max_connections (100) refused the second silo's ("53300: sorry, too
            // many clients already") and the twins' activations failed. Sized as docs/operations.md tells operators.
            var maxConnections = 50 + 110 * options.OutsideSilos.DefaultIfEmpty(1).Max();
            await using var postgres = await BenchPostgres.StartAsync([F($"max_connections={maxConnections}")], cancel);
            foreach (var silos in options.OutsideSilos)
            {
                var row = await ThroughputAsync(new TwinProcessTarget(_signingKey, silos, postgres), qos, window, report, cancel);
                if (row is not null)
                {
                    report.Scaling.Add(new OutsideScaling(silos, row.MessagesPerSecond, row.Check, row.History));
                }
            }
        }
        catch (TargetUnavailableException ex)
        {
            report.Skipped.Add(new Note("silos", ex.Message));
        }
    }

    private async Task<OutsideLatency?> LatencyAsync(IOutsideTarget target, double rate, OutsideReport report, CancellationToken cancel)
    {
        var label = F($"[{target.Name} latency at {rate:N0}/s]");
        return await OnFreshTargetAsync(target, label, target.Name + " latency", report, async () =>
        {
            var spec = new GeneratorSpec(target.Ports, options.Cars, 1, 0, (LatencyWarmup + options.Duration).TotalSeconds, LatencyWarmup.TotalSeconds, rate, _signingKey);
            await using var generator = await GeneratorProcess.StartAsync(spec, GeneratorConnectTimeout, cancel);
            var generated = await generator.ResultAsync(TimeSpan.FromSeconds(90) + options.Duration + LatencyWarmup, cancel);
            var row = new OutsideLatency(target.Name, Math.Round(rate), generated.Recorded, generated.Skipped, generated.P50Ms, generated.P99Ms, generated.P999Ms, generated.MaxMs);
            Say(F($"{label} p50 {row.P50Ms:0.00} ms, p99 {row.P99Ms:0.00} ms, p99.9 {row.P999Ms:0.00} ms over {row.Recorded:N0} publishes ({row.Skipped:N0} turns skipped)"));
            return row;
        }, cancel);
    }

    /// <summary>
    /// One measurement on a target started fresh for it and stopped after it: a target that cannot run here is
    /// skipped with its reason (noted under <paramref name="skipKey"/>), a failure is noted and the run goes on.
    /// </summary>
    private async Task<T?> OnFreshTargetAsync<T>(IOutsideTarget target, string label, string skipKey, OutsideReport report, Func<Task<T>> measure, CancellationToken cancel)
        where T : class
    {
        try
        {
            await target.StartAsync(cancel);
            return await measure();
        }
        catch (TargetUnavailableException ex)
        {
            report.Skipped.Add(new Note(skipKey, ex.Message));
            Say($"{label} skipped: {ex.Message}");
            return null;
        }
        catch (Exception ex) when (!cancel.IsCancellationRequested)
        {
            report.Errors.Add(new Note(label, $"{ex.GetType().Name}: {ex.Message}"));
            Say($"{label} FAILED: {ex.Message}");
            return null;
        }
        finally
        {
            await target.DisposeAsync();
        }
    }

    private static IEnumerable<GoalResult> Goals(OutsideReport report)
    {
        foreach (var group in report.Throughput.GroupBy(t => (t.Qos, t.Window)))
        {
            var twin = group.FirstOrDefault(t => t.Target == "digitaltwin");
            var bare = group.FirstOrDefault(t => t.Target == "mqttnet-bare");
            var mosquitto = group.FirstOrDefault(t => t.Target == "mosquitto");
            var scenario = F($"QoS {group.Key.Qos}, {group.Key.Window} in flight");
            if (twin is not null && bare is { MessagesPerSecond: > 0 })
            {
                var ratio = twin.MessagesPerSecond / bare.MessagesPerSecond;
                yield return Goal(F($"ingest {scenario}: twin / bare MQTTnet >= 0.8"), ratio >= 0.8, F($"{ratio:0.00}"));
            }

            if (twin is not null && mosquitto is { MessagesPerSecond: > 0 })
            {
                var ratio = twin.MessagesPerSecond / mosquitto.MessagesPerSecond;
                yield return Goal(F($"ingest {scenario}: twin / Mosquitto relay >= 1.0"), ratio >= 1.0, F($"{ratio:0.00}"));
            }

            if (twin?.Check is { } check)
            {
                yield return Goal(F($"zero loss {scenario}: every car's last acknowledged seq in its twin"), check.Passed, F($"{check.CarsBehind} of {check.CarsChecked} cars behind"));
            }
        }

        if (report.Latency.FirstOrDefault(l => l.Target == "digitaltwin") is { } latency)
        {
            yield return Goal(F($"p99 publish -> twin updated (PUBACK) < 5 ms at 50% of the QoS 1 maximum ({latency.Rate:N0}/s)"), latency.P99Ms < 5, F($"{latency.P99Ms:0.00} ms"));
        }
    }

    private static IEnumerable<GoalResult> DurabilityGoals(OutsideReport report)
    {
        var runs = report.Scaling.Where(s => s.History is not null).ToList();
        if (runs.Count > 0)
        {
            var dropped = runs.Sum(s => s.History!.Dropped);
            var appended = runs.Sum(s => s.History!.Appended);
            yield return Goal("durability at the maximum QoS 1 rate on PostgreSQL: zero acknowledged samples dropped from history", dropped == 0,
                F($"{dropped:N0} of {appended:N0} dropped over {runs.Count} run(s); {runs.Sum(s => s.History!.Deferred):N0} publishes refused (not acknowledged) while history was full"));
        }
    }

    private static GoalResult Goal(string goal, bool met, string figure) => new(goal, met ? "met" : "missed", figure);

    private void Write(OutsideReport report)
    {
        Say("");
        Say("== DigitalTwin bench, measured from outside ==");
        Say(report.Machine.Line(report.LoadAverageAtStart, report.LoadAverageAtEnd));
        Say(F($"generator: {report.Cars:N0} MQTT 5 clients in a process of its own, one connection per car, packet fragmentation off; {report.SecondsPerScenario:0.#} s measured after {report.WarmupSeconds:0.#} s"));
        Say("");
        Say("Throughput (msgs/s counted at the target)");
        Say("  qos  in flight        mqttnet-bare     mosquitto   digitaltwin   twin/bare   twin/mosquitto   loss check");
        foreach (var group in report.Throughput.GroupBy(t => (t.Qos, t.Window)))
        {
            double? Rate(string name) => group.FirstOrDefault(t => t.Target == name)?.MessagesPerSecond;
            var bare = Rate("mqttnet-bare");
            var mosquitto = Rate("mosquitto");
            var twin = Rate("digitaltwin");
            var check = group.FirstOrDefault(t => t.Target == "digitaltwin")?.Check;
            Say(F($"  {group.Key.Qos,3}  {group.Key.Window,9}  {Cell(bare),18}  {Cell(mosquitto),12}  {Cell(twin),12}  {Ratio(twin, bare),10}  {Ratio(twin, mosquitto),15}   {(check is null ? "-" : check.Passed ? "ok" : F($"{check.CarsBehind} behind"))}"));
        }

        if (report.Latency.Count > 0)
        {
            Say("");
            Say("Latency, QoS 1 open loop, publish -> PUBACK (for the twin: after the twin applied it)");
            Say("  target            rate/s     p50 ms   p99 ms   p99.9 ms   max ms   publishes   skipped");
            foreach (var l in report.Latency)
            {
                Say(F($"  {l.Target,-14} {l.Rate,9:N0}  {l.P50Ms,9:0.00} {l.P99Ms,8:0.00} {l.P999Ms,10:0.00} {l.MaxMs,8:0.0} {l.Recorded,11:N0} {l.Skipped,9:N0}"));
            }
        }

        if (report.Scaling.Count > 0)
        {
            Say("");
            Say("Silos clustered on PostgreSQL (QoS 1, 10 in flight, cars spread evenly over the silos)");
            Say("  silos     msgs/s   x one silo   loss check   history appended   dropped   refused (backpressure)");
            var one = report.Scaling.FirstOrDefault(s => s.Silos == 1)?.MessagesPerSecond;
            foreach (var s in report.Scaling)
            {
                var loss = s.Check is null ? "-" : s.Check.Passed ? "ok" : F($"{s.Check.CarsBehind} behind");
                Say(F($"  {s.Silos,5} {s.MessagesPerSecond,10:N0} {Ratio(s.MessagesPerSecond, one),12}   {loss,-10}   {s.History?.Appended,16:N0}   {s.History?.Dropped,7:N0}   {s.History?.Deferred,22:N0}"));
            }
        }

        Say("");
        Say("The issue's targets");
        foreach (var goal in report.Goals)
        {
            Say($"  [{goal.Status}] {goal.Goal}: {goal.Figure}");
        }

        foreach (var note in report.Skipped)
        {
            Say($"  skipped {note.Part}: {note.Message}");
        }

        foreach (var note in report.Errors)
        {
            Say($"  ERROR {note.Part}: {note.Message}");
        }

        Say(F($"total {report.TotalSeconds:0} s"));
    }

    private static string Cell(double? rate) => rate is { } r ? r.ToString("N0", CultureInfo.InvariantCulture) : "-";

    private static string Ratio(double? twin, double? baseline) =>
        twin is { } t && baseline is > 0 ? (t / baseline.Value).ToString("0.00", CultureInfo.InvariantCulture) : "-";

    private static async Task DelayUntilAsync(long start, TimeSpan offset, CancellationToken cancel)
    {
        var remaining = offset - Stopwatch.GetElapsedTime(start);
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining, cancel);
        }
    }

    private void Say(string line)
    {
        output.WriteLine(line);
        output.Flush();
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

public sealed class OutsideReport
{
    public required DateTimeOffset StartedAt { get; init; }
    public required string Command { get; init; }
    public required bool Smoke { get; init; }
    public required MachineInfo Machine { get; init; }
    public required int Cars { get; init; }
    public required double SecondsPerScenario { get; init; }
    public required double WarmupSeconds { get; init; }
    public Dictionary<string, string> Targets { get; } = [];
    public List<OutsideThroughput> Throughput { get; } = [];
    public List<OutsideLatency> Latency { get; } = [];
    public List<OutsideScaling> Scaling { get; } = [];
    public List<GoalResult> Goals { get; } = [];
    public List<Note> Skipped { get; } = [];
    public List<Note> Errors { get; } = [];
    public required string LoadAverageAtStart { get; init; }
    public string? LoadAverageAtEnd { get; set; }
    public double TotalSeconds { get; set; }
}

public sealed record OutsideThroughput(
    string Target, int Qos, int Window, double MessagesPerSecond, double SlowestSecond, long Published, long Failed, int LostConnections, double ConnectSeconds, LossCheck? Check,
    HistoryCheck? History = null);

public sealed record OutsideLatency(string Target, double Rate, long Recorded, long Skipped, double P50Ms, double P99Ms, double P999Ms, double MaxMs);

public sealed record OutsideScaling(int Silos, double MessagesPerSecond, LossCheck? Check, HistoryCheck? History);
