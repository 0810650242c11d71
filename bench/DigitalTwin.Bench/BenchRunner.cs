using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using DigitalTwin.Grains.Storage;
using DigitalTwin.Security;
using DigitalTwin.Testing;
using Microsoft.Extensions.Logging;
using MQTTnet.Protocol;

namespace DigitalTwin.Bench;

/// <summary>
/// Runs every scenario against every target with the same fleet and documents, then computes ratios and
/// judges the issue's targets. Targets run one after another, so each has both cores (shared with the generator).
/// </summary>
public sealed class BenchRunner(BenchOptions options, string command, TextWriter output)
{
    private static readonly double[] LatencyFractions = [0.25, 0.5, 0.9];

    // Open loop: a car with this many publishes unanswered skips its turn instead of queueing without bound.
    private const int OpenLoopMaxInFlight = 50;

    // After the fleet stops, the target gets this long without progress to take in what is still buffered.
    private static readonly TimeSpan DrainStall = TimeSpan.FromSeconds(10);

    private readonly string _signingKey = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public async Task<int> RunAsync(CancellationToken cancel)
    {
        var payloadBytes = new TelemetryPayload(1).Write(new byte[TelemetryPayload.MaxLength], DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 1_000_000);
        var report = new BenchReport
        {
            StartedAt = DateTimeOffset.UtcNow,
            Command = command,
            Smoke = options.Smoke,
            Machine = MachineInfo.Current(),
            Cars = options.Cars,
            SecondsPerScenario = options.Duration.TotalSeconds,
            WarmupSeconds = options.Warmup.TotalSeconds,
            Window = options.Window,
            PayloadBytes = payloadBytes,
            LoadAverageAtStart = MachineInfo.LoadAverage(),
        };
        Say(F($"bench: {options.Cars:N0} cars, QoS {string.Join(",", options.QosLevels)}, {options.Duration.TotalSeconds:0.#} s per scenario after {options.Warmup.TotalSeconds:0.#} s warm-up{(options.Smoke ? " (smoke)" : "")}"));

        var parts = new (string Part, Func<IBenchTarget> Create)[]
        {
            ("twin", () => new DigitalTwinTarget(_signingKey)),
            // The same silo without driving insights (issue 17), right after it: what trips and scores cost per message.
            ("twin-no-insights", () => new DigitalTwinTarget(_signingKey, "digitaltwin-no-insights", "--Insights:Enabled=false")),
            ("bare", () => new BareMqttTarget()),
            ("bare-buffered", () => new BareMqttTarget(bufferedReads: true)),
            ("bare-kestrel", () => new KestrelMqttTarget()),
            ("mosquitto", () => new MosquittoTarget()),
            ("naive", () => new NaiveTarget()),
        };
        foreach (var (part, create) in parts)
        {
            cancel.ThrowIfCancellationRequested();
            if (options.Runs(part))
            {
                await RunTargetAsync(create(), part, report, cancel);
            }
            else
            {
                report.Skipped.Add(new Note(part, "--skip"));
            }
        }

        if (options.Runs("crash"))
        {
            await RunCrashAsync(report, cancel);
        }
        else
        {
            report.Skipped.Add(new Note("crash", "--skip"));
        }

        if (options.Runs("flush"))
        {
            await RunFlushAsync(report, cancel);
        }
        else
        {
            report.Skipped.Add(new Note("flush", "--skip"));
        }

        if (options.Runs("memory"))
        {
            await RunMemoryAsync(report, cancel);
        }
        else
        {
            report.Skipped.Add(new Note("memory", "--skip"));
        }

        report.Ratios.AddRange(Ratios(report));
        report.Goals.AddRange(Goals.Evaluate(report));
        report.Goals.AddRange(CrashBench.Goals(report.Crash));
        report.TotalSeconds = Math.Round(_clock.Elapsed.TotalSeconds, 1);
        report.LoadAverageAtEnd = MachineInfo.LoadAverage();

        ReportTable.Write(report, output);
        await ReportWriter.WriteAsync(report, options.OutPath, cancel);
        Say($"bench: JSON written to {Path.GetFullPath(options.OutPath)}");

        // A run that could not do what it was asked, or that lost an acknowledged message, must not look green.
        var twinLostAtQos1 = report.Throughput.Any(t => t.Target == "digitaltwin" && t.Qos == 1 && (t.Lost != 0 || t.Check is { Passed: false }))
            || report.Latency.Any(l => l.Check is { Passed: false });
        return report.Errors.Count > 0 || twinLostAtQos1 ? 1 : 0;
    }

    private async Task RunTargetAsync(IBenchTarget target, string part, BenchReport report, CancellationToken cancel)
    {
        try
        {
            Say($"[{target.Name}] starting");
            await target.StartAsync(cancel);
            report.Targets[target.Name] = target.Description;

            await using var fleet = Fleet.Create(options.Cars, target.Port, new TokenIssuer(_signingKey));
            var connecting = Stopwatch.StartNew();
            await fleet.ConnectAsync(cancel);
            Say(F($"[{target.Name}] {options.Cars:N0} cars connected in {connecting.Elapsed.TotalSeconds:0.0} s"));

            ThroughputResult? qos1 = null;
            foreach (var qos in options.QosLevels)
            {
                var result = await ThroughputAsync(target, fleet, qos, cancel);
                report.Throughput.Add(result);
                qos1 = qos == 1 ? result : qos1;
                var check = result.Check is { } c ? (c.Passed ? ", last seq ok" : F($", {c.CarsBehind} cars BEHIND")) : "";
                Say(F($"[{target.Name}] QoS {qos}: {result.MessagesPerSecond:N0} msgs/s (slowest second {result.MinPerSecond:N0}), {result.Lost:N0} lost, {result.Failed:N0} failed{check}"));
            }

            if (target is DigitalTwinTarget)
            {
                if (!options.Runs("latency"))
                {
                    report.Skipped.Add(new Note("latency", "--skip"));
                }
                else if (qos1 is null || qos1.MessagesPerSecond <= 0)
                {
                    report.Skipped.Add(new Note("latency", "needs DigitalTwin's QoS 1 maximum (run with --qos 1 or 0,1)"));
                }
                else
                {
                    foreach (var fraction in LatencyFractions)
                    {
                        var latency = await LatencyAsync(target, fleet, fraction, qos1.MessagesPerSecond, cancel);
                        report.Latency.Add(latency);
                        Say(F($"[{target.Name}] latency at {fraction:0%}: {latency.AchievedPerSecond:N0} msgs/s, p50 {latency.P50Ms:0.00} ms, p99 {latency.P99Ms:0.00} ms, p99.9 {latency.P999Ms:0.00} ms"));
                    }
                }
            }
        }
        catch (TargetUnavailableException ex)
        {
            report.Skipped.Add(new Note(part, ex.Message));
            Say($"[{target.Name}] skipped: {ex.Message}");
        }
        catch (Exception ex) when (!cancel.IsCancellationRequested)
        {
            report.Errors.Add(new Note(part, $"{ex.GetType().Name}: {ex.Message}"));
            Say($"[{target.Name}] FAILED: {ex}");
        }
        finally
        {
            await target.DisposeAsync();
        }
    }

    private async Task<ThroughputResult> ThroughputAsync(IBenchTarget target, Fleet fleet, int qos, CancellationToken cancel)
    {
        var receivedBefore = target.Received;
        var publishedBefore = fleet.Published;
        var failedBefore = fleet.Failed;
        var notAppliedBefore = (target as DigitalTwinTarget)?.NotApplied;
        var lostConnectionsBefore = fleet.LostConnections;

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var level = qos == 0 ? MqttQualityOfServiceLevel.AtMostOnce : MqttQualityOfServiceLevel.AtLeastOnce;
        var run = fleet.RunClosedLoopAsync(level, options.Window, target, stop.Token);

        // Fixed-length windows are the experiment itself, so these are delays to absolute deadlines, not waits for events.
        await Task.Delay(options.Warmup, cancel);
        var windowStart = Stopwatch.GetTimestamp();
        var atStart = target.Received;
        var perSecond = new List<double>();
        var last = atStart;
        var wholeSeconds = (int)Math.Floor(options.Duration.TotalSeconds);
        for (var second = 1; second <= wholeSeconds; second++)
        {
            await DelayUntilAsync(windowStart, TimeSpan.FromSeconds(second), cancel);
            var now = target.Received;
            perSecond.Add(now - last);
            last = now;
        }

        await DelayUntilAsync(windowStart, options.Duration, cancel);
        var atEnd = target.Received;
        var measured = Stopwatch.GetElapsedTime(windowStart).TotalSeconds;

        stop.Cancel();
        await run;
        var drainSeconds = await DrainAsync(target, receivedBefore, fleet.Published - publishedBefore, cancel);
        var check = await target.VerifyAsync(fleet, cancel);

        var rate = (atEnd - atStart) / measured;
        var published = fleet.Published - publishedBefore;
        var received = target.Received - receivedBefore;
        return new ThroughputResult(
            target.Name,
            qos,
            options.Cars,
            options.Window,
            options.Warmup.TotalSeconds,
            Math.Round(measured, 2),
            Math.Round(rate, 0),
            perSecond.Count > 0 ? perSecond.Min() : Math.Round(rate, 0),
            perSecond.Count > 0 ? perSecond.Max() : Math.Round(rate, 0),
            published,
            received,
            published - received,
            fleet.Failed - failedBefore,
            (target as DigitalTwinTarget)?.NotApplied - notAppliedBefore,
            fleet.LostConnections - lostConnectionsBefore,
            Math.Round(drainSeconds, 2),
            check);
    }

    private async Task<LatencyResult> LatencyAsync(IBenchTarget target, Fleet fleet, double fraction, double maxRate, CancellationToken cancel)
    {
        var offered = fraction * maxRate;
        var histogram = new LatencyHistogram();
        var failedBefore = fleet.Failed;
        var recordFrom = Stopwatch.GetTimestamp() + (long)(options.Warmup.TotalSeconds * Stopwatch.Frequency);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        stop.CancelAfter(options.Warmup + options.Duration);
        var skipped = await fleet.RunOpenLoopAsync(offered, OpenLoopMaxInFlight, histogram, recordFrom, stop.Token);
        cancel.ThrowIfCancellationRequested();
        var check = await target.VerifyAsync(fleet, cancel);

        static double? Round(double value) => double.IsNaN(value) ? null : Math.Round(value, 3);
        return new LatencyResult(
            fraction,
            Math.Round(offered, 0),
            Math.Round(histogram.Count / options.Duration.TotalSeconds, 0),
            Round(histogram.PercentileMilliseconds(0.50)),
            Round(histogram.PercentileMilliseconds(0.99)),
            Round(histogram.PercentileMilliseconds(0.999)),
            histogram.Count > 0 ? Math.Round(histogram.MaxMilliseconds, 3) : null,
            histogram.Count,
            skipped,
            fleet.Failed - failedBefore,
            check);
    }

    private async Task RunMemoryAsync(BenchReport report, CancellationToken cancel)
    {
        // The twin alone (history off, as with history in PostgreSQL) at every count, then the embedded default's
        // in-memory history at the smallest count, to show what that store adds per twin.
        var runs = options.TwinCounts.Select(k => (Twins: k, History: 0)).ToList();
        if (!options.Smoke)
        {
            runs.Add((options.TwinCounts.Min(), DefaultHistoryPerSignal));
        }

        foreach (var (twins, history) in runs)
        {
            cancel.ThrowIfCancellationRequested();
            try
            {
                Say(F($"[memory] {twins:N0} twins, in-memory history {(history == 0 ? "off" : history + " points/signal")}"));
                var result = await MemoryRunner.MeasureAsync(twins, history, cancel);
                report.Memory.Add(result);
                Say(F($"[memory] {result.WorkingSetBytesPerTwin:N0} B resident, {result.GcHeapBytesPerTwin:N0} B managed per twin; {result.ActivationsPerSecond:N0} activations/s"));
            }
            catch (Exception ex) when (!cancel.IsCancellationRequested)
            {
                report.Errors.Add(new Note(F($"memory {twins}"), $"{ex.GetType().Name}: {ex.Message}"));
                Say($"[memory] FAILED: {ex.Message}");
            }
        }
    }

    private async Task RunCrashAsync(BenchReport report, CancellationToken cancel)
    {
        for (var run = 1; run <= options.CrashRuns; run++)
        {
            if (options.CrashRuns > 1)
            {
                Say(F($"[crash] run {run} of {options.CrashRuns}"));
            }

            await RunCrashOnceAsync(report, cancel);
        }
    }

    private async Task RunCrashOnceAsync(BenchReport report, CancellationToken cancel)
    {
        try
        {
            Say(F($"[crash] starting: {options.Crashes:N0} crashes over {options.CrashTwins:N0} twins ({options.CrashConnected:N0} connected), {options.CrashSseClients} SSE clients, alert store {options.CrashStore}"));
            var result = await new CrashBench(options, _signingKey, Say).RunAsync(cancel);
            report.Crash.Add(result);
            report.Targets["digitaltwin-crash"] = "the real host in-process; crash alerts stored by " + result.AlertStoreDetail;
            if (!result.Passed)
            {
                report.Errors.Add(new Note("crash", result.Verification));
            }

            var puback = result.Latencies.Single(l => l.Key == "puback");
            var sse = result.Latencies.Single(l => l.Key == "sse");
            Say(F($"[crash] publish -> PUBACK p50 {puback.P50Ms:0.00} ms, p99 {puback.P99Ms:0.00} ms; publish -> SSE alert p50 {sse.P50Ms:0.00} ms, p99 {sse.P99Ms:0.00} ms; {result.Verification}"));
        }
        catch (Exception ex) when (!cancel.IsCancellationRequested)
        {
            report.Errors.Add(new Note("crash", $"{ex.GetType().Name}: {ex.Message}"));
            Say($"[crash] FAILED: {ex}");
        }
    }

    private async Task RunFlushAsync(BenchReport report, CancellationToken cancel)
    {
        PostgresServer? postgres = null;

        // Warnings and errors of the store (stale, rejected or dropped snapshots) and of Npgsql go to stderr.
        using var logs = LoggerFactory.Create(b => b
            .SetMinimumLevel(LogLevel.Warning)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
        try
        {
            Say("[flush] starting PostgreSQL");
            postgres = await BenchPostgres.StartAsync([], cancel);
            var bench = new FlushBench(postgres, logs, Say);
            report.Targets["snapshot-flush"] = await bench.DescribeServerAsync(cancel);
            foreach (var twins in options.FlushTwinCounts)
            {
                cancel.ThrowIfCancellationRequested();
                try
                {
                    var result = await bench.RunAsync(twins, options.FlushRounds, cancel);
                    report.Flush.Add(result);
                    if (!result.Verified)
                    {
                        report.Errors.Add(new Note(F($"flush {twins}"), result.Verification));
                    }

                    Say(F($"[flush] {twins:N0} twins: {result.RowsPerSecondP50:N0} rows/s at the median flush, p50 {result.P50Ms:0.0} ms, p99 {result.P99Ms:0.0} ms, {result.StatementsPerFlush:0.##} statements per flush; {result.Verification}"));
                }
                catch (Exception ex) when (!cancel.IsCancellationRequested)
                {
                    report.Errors.Add(new Note(F($"flush {twins}"), $"{ex.GetType().Name}: {ex.Message}"));
                    Say($"[flush] FAILED: {ex}");
                }
            }
        }
        catch (TargetUnavailableException ex)
        {
            report.Skipped.Add(new Note("flush", ex.Message));
            Say($"[flush] skipped: {ex.Message}");
        }
        catch (Exception ex) when (!cancel.IsCancellationRequested)
        {
            report.Errors.Add(new Note("flush", $"{ex.GetType().Name}: {ex.Message}"));
            Say($"[flush] FAILED: {ex}");
        }
        finally
        {
            if (postgres is not null)
            {
                await postgres.DisposeAsync();
            }
        }
    }

    private static int DefaultHistoryPerSignal => new PersistenceOptions().InMemoryHistoryPerSignal;

    private static IEnumerable<RatioResult> Ratios(BenchReport report)
    {
        foreach (var qos in report.Throughput.Select(t => t.Qos).Distinct().Order())
        {
            double? Rate(string target) => report.Throughput.FirstOrDefault(t => t.Target == target && t.Qos == qos)?.MessagesPerSecond;
            var twin = Rate("digitaltwin");
            double? Ratio(string baseline) => twin is { } t && Rate(baseline) is { } b && b > 0 ? Math.Round(t / b, 3) : null;
            yield return new RatioResult(qos, twin, Ratio("mqttnet-bare"), Ratio("mosquitto"), Ratio("naive-postgres"));
        }
    }

    /// <summary>Waits until the target has taken in everything published, or stops making progress.</summary>
    private static async Task<double> DrainAsync(IBenchTarget target, long receivedBefore, long published, CancellationToken cancel)
    {
        var started = Stopwatch.GetTimestamp();
        var lastProgress = started;
        var last = target.Received;
        while (target.Received - receivedBefore < published)
        {
            await Task.Delay(20, cancel);
            var now = target.Received;
            if (now != last)
            {
                last = now;
                lastProgress = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetElapsedTime(lastProgress) > DrainStall)
            {
                break;
            }
        }

        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

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
        output.WriteLine(F($"{_clock.Elapsed.TotalSeconds,6:0.0}s {line}"));
        output.Flush();
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
