using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Confluent.Kafka;
using DigitalTwin.Security;
using DigitalTwin.Testing;
using MQTTnet.Protocol;
using Npgsql;

namespace DigitalTwin.Bench;

/// <summary>
/// The Kafka scenarios of issue 13 (<c>--kafka</c>), against librdkafka's mock cluster in a process of its own
/// (<see cref="KafkaMockCluster"/>, as the tests run it) and silos in processes of their own (<see cref="SiloNode"/>), so
/// that the generator in this process shares no runtime with the silo:
/// <list type="number">
/// <item>MQTT -> twin -> Kafka: the bench's fleet at QoS 1 against a silo with Kafka off, on (records produced after the
/// PUBACK) and durable (<c>Kafka:DurableIngest=true</c>: the PUBACK waits for Kafka's acks=all), one after another in the
/// same run: acknowledged msgs/s in a closed loop, then publish -> PUBACK latency at one open-loop rate for all three.</item>
/// <item>Kafka -> twins: a burst of cars x N records into <c>vehicle-telemetry-in</c> while the silos wait with their
/// partitions assigned; records/s applied and the commit lag, with one silo (in memory and on PostgreSQL) and two
/// silos (on PostgreSQL, one Orleans cluster, one consumer group).</item>
/// </list>
/// A fresh mock cluster and fresh silos for every mode and run, so that no run reads another's records or twins.
/// </summary>
public sealed class KafkaBench(BenchOptions options, string command, TextWriter output)
{
    private const string TelemetryIn = "vehicle-telemetry-in";
    private const string EventsIn = "vehicle-events-in";
    private const string TelemetryOut = "vehicle-telemetry";
    private const string GroupId = "digitaltwin-ingest";
    private const string LocalClusterId = "digitaltwin";
    private const string ServiceId = "digitaltwin";

    // As in the latency scenario: a car with this many publishes unanswered skips its turn.
    private const int OpenLoopMaxInFlight = 50;

    private static readonly TimeSpan SiloStartTimeout = TimeSpan.FromMinutes(2);
    // Commits on PostgreSQL come in spurts, each after a barrier waits for the history writer: give them time.
    private static readonly TimeSpan IngestStall = TimeSpan.FromSeconds(120);

    private readonly string _signingKey = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly string _runId = Guid.NewGuid().ToString("N")[..6];
    private TokenIssuer Tokens => new(_signingKey);
    private int _nextSilo;

    private int Partitions => options.KafkaPartitions;

    /// <summary>
    /// <c>off</c>, <c>async</c>, <c>durable</c>, and with <c>--kafka-linger</c> <c>durable-linger{MS}</c>: durable with the
    /// silo producer's <c>linger.ms</c> changed, to show how much of the hop is batching.
    /// </summary>
    private string[] Modes => options.KafkaLingerMs is { } linger
        ? ["off", "async", "durable", F($"durable-linger{linger}")]
        : ["off", "async", "durable"];

    public async Task<int> RunAsync(CancellationToken cancel)
    {
        var payloadBytes = new TelemetryPayload(1).Write(new byte[TelemetryPayload.MaxLength], DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 1_000_000);
        var report = new KafkaReport
        {
            StartedAt = DateTimeOffset.UtcNow,
            Command = command,
            Smoke = options.Smoke,
            Machine = MachineInfo.Current(),
            LoadAverageAtStart = MachineInfo.LoadAverage(),
            Cars = options.Cars,
            Window = options.Window,
            SecondsPerScenario = options.Duration.TotalSeconds,
            WarmupSeconds = options.KafkaWarmup.TotalSeconds,
            PayloadBytes = payloadBytes,
        };
        Say(F($"bench --kafka: {options.Cars:N0} cars, {options.Duration.TotalSeconds:0.#} s per scenario after {options.KafkaWarmup.TotalSeconds:0.#} s warm-up (Kafka -> twins: {options.KafkaWarmupRecordsPerCar} records per car), {Partitions} partitions{(options.Smoke ? " (smoke)" : "")}; silos and the Kafka mock in processes of their own"));

        if (options.Runs("kafka-mqtt"))
        {
            // Modes interleaved round by round, so that a busy spell of a shared machine does not land on one mode only.
            for (var round = 1; round <= options.KafkaRounds; round++)
            {
                foreach (var mode in Modes)
                {
                    cancel.ThrowIfCancellationRequested();
                    try
                    {
                        var result = await RunMqttAsync(mode, round, report, cancel);
                        report.Mqtt.Add(result);
                        if (!result.Passed)
                        {
                            report.Errors.Add(new Note($"kafka-mqtt {mode} round {round}", result.Check));
                        }
                    }
                    catch (Exception ex) when (!cancel.IsCancellationRequested)
                    {
                        report.Errors.Add(new Note($"kafka-mqtt {mode} round {round}", $"{ex.GetType().Name}: {ex.Message}"));
                        Say($"[mqtt {mode}] FAILED: {ex}");
                    }
                }
            }

            AddDeltas(report.Mqtt);
        }
        else
        {
            report.Skipped.Add(new Note("kafka-mqtt", "--skip"));
        }

        if (options.Runs("kafka-in"))
        {
            await RunIngestPartAsync(report, cancel);
        }
        else
        {
            report.Skipped.Add(new Note("kafka-in", "--skip"));
        }

        report.TotalSeconds = Math.Round(_clock.Elapsed.TotalSeconds, 1);
        report.LoadAverageAtEnd = MachineInfo.LoadAverage();
        KafkaReportTable.Write(report, output);
        await WriteJsonAsync(report, options.OutPath, cancel);
        Say($"bench: JSON written to {Path.GetFullPath(options.OutPath)}");
        return report.Errors.Count > 0 ? 1 : 0;
    }

    // ---- MQTT -> twin -> Kafka ------------------------------------------------------------------------------------

    private async Task<KafkaMqttResult> RunMqttAsync(string mode, int round, KafkaReport report, CancellationToken cancel)
    {
        var label = options.KafkaRounds > 1 ? $"[mqtt {mode} #{round}]" : $"[mqtt {mode}]";
        await using var kafka = mode == "off" ? null : await StartKafkaAsync(report, cancel);
        var settings = SiloNode.BaseSettings(_signingKey);
        var described = "Kafka off (no Kafka:BootstrapServers)";
        if (kafka is not null)
        {
            settings.Add($"--Kafka:BootstrapServers={kafka.BootstrapServers}");
            // The ingest consumer is not what this part measures: off, so the silo only produces.
            settings.Add("--Kafka:Ingest:Topics=");
            var durable = mode.StartsWith("durable", StringComparison.Ordinal);
            settings.Add($"--Kafka:DurableIngest={(durable ? "true" : "false")}");
            described = durable
                ? "Kafka:DurableIngest=true: PUBACK after the twin applied it and Kafka acknowledged its record (acks=all)"
                : "Kafka on, DurableIngest=false: PUBACK after the twin applied it; record produced asynchronously";
            if (mode != "durable" && durable && options.KafkaLingerMs is { } linger)
            {
                settings.Add(F($"--Kafka:Producer:linger.ms={linger}"));
                described += F($", producer linger.ms={linger} instead of the silo's 5");
            }
        }

        Say($"{label} starting a silo process; {described}");
        await using var silo = await SiloNode.StartAsync(Interlocked.Increment(ref _nextSilo), settings, Tokens, SiloStartTimeout, cancel);
        await using var fleet = Fleet.Create(options.Cars, silo.MqttPort, Tokens);
        var connecting = Stopwatch.StartNew();
        await fleet.ConnectAsync(cancel);
        Say(F($"{label} {silo}; {options.Cars:N0} cars connected in {connecting.Elapsed.TotalSeconds:0.0} s"));
        await using var acks = new AckCounter(fleet, silo.MqttPort);

        // 1. Max throughput: the bench's closed loop at QoS 1, counted by PUBACKs.
        var (rate, perSecond, seconds, cpu) = await ClosedLoopAsync(fleet, acks, [silo.Process.ProcessId], kafka, cancel);
        var slowest = perSecond.Count > 0 ? perSecond.Min() : Math.Round(rate);
        var fastest = perSecond.Count > 0 ? perSecond.Max() : Math.Round(rate);
        Say(F($"{label} QoS 1 closed loop: {rate:N0} acknowledged msgs/s (slowest second {slowest:N0}, fastest {fastest:N0}); silo CPU {cpu?.SiloMicrosPerItem:N0} us per message, {cpu?.SiloSeconds / cpu?.WallSeconds:0.00} cores"));

        // 2. Latency at one fixed open-loop rate, the same for every mode.
        var histogram = new LatencyHistogram();
        var produceBefore = await ProduceDurationAsync(silo, cancel);
        var failedBefore = fleet.Failed;
        var recordFrom = Stopwatch.GetTimestamp() + (long)(options.Warmup.TotalSeconds * Stopwatch.Frequency);
        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel))
        {
            stop.CancelAfter(options.Warmup + options.Duration);
            var skipped = await fleet.RunOpenLoopAsync(options.KafkaLatencyRate, OpenLoopMaxInFlight, histogram, recordFrom, stop.Token);
            cancel.ThrowIfCancellationRequested();
            var latencyFailed = fleet.Failed - failedBefore;
            Say(F($"{label} open loop at {options.KafkaLatencyRate:N0} msgs/s: p50 {Ms(histogram, 0.5)} ms, p99 {Ms(histogram, 0.99)} ms, p99.9 {Ms(histogram, 0.999)} ms, max {histogram.MaxMilliseconds:0.00} ms; {skipped:N0} skipped, {latencyFailed:N0} failed"));

            // 3. Checks: every car's twin, and in Kafka every car's last acknowledged seq.
            var vins = fleet.Cars.Select(c => c.Vin).ToList();
            var twins = await TwinSeqReader.ReadAsync([silo.GatewayPort], LocalClusterId, ServiceId, vins, cancel);
            var twinsBehind = fleet.Cars.Count(c => twins.GetValueOrDefault(c.Vin) < c.Seq);
            int? kafkaBehind = null;
            long? inTopic = null;
            if (kafka is not null)
            {
                (kafkaBehind, inTopic) = await KafkaBehindAsync(kafka.BootstrapServers, fleet, mode.StartsWith("durable", StringComparison.Ordinal), cancel);
            }

            // The silo's own produce time at the latency phase's rate (the histogram's growth over that phase).
            var produce = (await ProduceDurationAsync(silo, cancel)).Minus(produceBefore);
            var scrape = await silo.ScrapeAsync(cancel);
            long? Records(string outcome) => kafka is null ? null : (long)scrape.Sum("digitaltwin_kafka_records_total", ("topic", TelemetryOut), ("outcome", outcome));
            var failed = fleet.Failed;
            var passed = twinsBehind == 0 && (kafkaBehind ?? 0) == 0 && failed == 0;
            var check = F($"{twinsBehind} of {fleet.Cars.Count:N0} twins behind their car's last acknowledged seq")
                + (kafka is null ? "" : F($"; {kafkaBehind} cars whose last acknowledged seq is not in {TelemetryOut} ({inTopic:N0} records there)"))
                + F($"; {failed:N0} publishes failed");
            Say($"{label} {(passed ? "ok" : "FAILED")}: {check}");

            static double? Round(double value) => double.IsNaN(value) ? null : Math.Round(value, 3);
            return new KafkaMqttResult(
                mode,
                round,
                described,
                options.Cars,
                options.Window,
                Math.Round(seconds, 2),
                Math.Round(rate, 0),
                slowest,
                fastest,
                fleet.Published,
                failed,
                options.KafkaLatencyRate,
                Math.Round(histogram.Count / options.Duration.TotalSeconds, 0),
                Round(histogram.PercentileMilliseconds(0.50)),
                Round(histogram.PercentileMilliseconds(0.99)),
                Round(histogram.PercentileMilliseconds(0.999)),
                histogram.Count > 0 ? Math.Round(histogram.MaxMilliseconds, 3) : null,
                histogram.Count,
                skipped,
                latencyFailed,
                Records("delivered"),
                Records("failed"),
                Records("dropped"),
                inTopic,
                kafka is null ? null : Round3(produce.Mean),
                kafka is null ? null : Round3(produce.Quantile(0.5)?.Estimate),
                kafka is null ? null : Round3(produce.Quantile(0.99)?.Estimate),
                twinsBehind,
                kafkaBehind,
                cpu,
                perSecond,
                passed,
                check);
        }
    }

    /// <summary>The bench's closed loop at QoS 1 for warm-up + duration; acknowledged msgs/s over the measured window.</summary>
    private async Task<(double Rate, List<double> PerSecond, double Seconds, CpuUse? Cpu)> ClosedLoopAsync(
        Fleet fleet, AckCounter acks, int[] siloPids, KafkaMockCluster? kafka, CancellationToken cancel)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var run = fleet.RunClosedLoopAsync(MqttQualityOfServiceLevel.AtLeastOnce, options.Window, acks, stop.Token);
        await Task.Delay(options.KafkaWarmup, cancel);
        var start = Stopwatch.GetTimestamp();
        var cpuAtStart = Cpu(siloPids, kafka);
        var atStart = fleet.Published;
        var last = atStart;
        var perSecond = new List<double>();
        for (var second = 1; second <= (int)Math.Floor(options.Duration.TotalSeconds); second++)
        {
            await DelayUntilAsync(start, TimeSpan.FromSeconds(second), cancel);
            var now = fleet.Published;
            perSecond.Add(now - last);
            last = now;
        }

        await DelayUntilAsync(start, options.Duration, cancel);
        var atEnd = fleet.Published;
        var cpuAtEnd = Cpu(siloPids, kafka);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        await stop.CancelAsync();
        await run;
        var rate = (atEnd - atStart) / seconds;
        var cpu = CpuSince(cpuAtStart, cpuAtEnd, seconds, atEnd - atStart);
        return (rate, perSecond, seconds, cpu);
    }

    /// <summary>
    /// Cars whose last acknowledged seq is not in <c>vehicle-telemetry</c>. Durable: it must be there the moment the
    /// PUBACK came. Asynchronous: the producer may still be delivering, so it gets up to 10 s.
    /// </summary>
    private async Task<(int Behind, long Records)> KafkaBehindAsync(string bootstrap, Fleet fleet, bool durable, CancellationToken cancel)
    {
        var deadline = DateTime.UtcNow + (durable ? TimeSpan.Zero : TimeSpan.FromSeconds(10));
        while (true)
        {
            var (seqs, records) = await Task.Run(() => KafkaProbe.ReadSeqs(bootstrap, TelemetryOut, Partitions, cancel), cancel);
            var behind = fleet.Cars.Count(c => seqs.GetValueOrDefault(c.Vin) < c.Seq);
            if (behind == 0 || DateTime.UtcNow >= deadline)
            {
                return (behind, records);
            }

            await Task.Delay(500, cancel);
        }
    }

    private static async Task<HistogramBuckets> ProduceDurationAsync(SiloNode silo, CancellationToken cancel)
    {
        // The exporter serves a scrape up to 300 ms old: wait that out so that this one is current.
        await Task.Delay(350, cancel);
        return (await silo.ScrapeAsync(cancel)).Histogram("digitaltwin_kafka_produce_duration_milliseconds", ("topic", TelemetryOut));
    }

    /// <summary>Each Kafka mode against the <c>off</c> mode of the same round.</summary>
    private static void AddDeltas(List<KafkaMqttResult> results)
    {
        foreach (var r in results.Where(r => r.Mode != "off"))
        {
            if (results.FirstOrDefault(o => o.Mode == "off" && o.Round == r.Round) is not { } off)
            {
                continue;
            }

            r.AddedP50Ms = Diff(r.P50Ms, off.P50Ms);
            r.AddedP99Ms = Diff(r.P99Ms, off.P99Ms);
            r.AddedP999Ms = Diff(r.P999Ms, off.P999Ms);
            r.RateVsOff = off.AckedPerSecond > 0 ? Math.Round(r.AckedPerSecond / off.AckedPerSecond, 3) : null;
        }

        static double? Diff(double? a, double? b) => a is { } x && b is { } y ? Math.Round(x - y, 3) : null;
    }

    // ---- Kafka -> twins -------------------------------------------------------------------------------------------

    private async Task RunIngestPartAsync(KafkaReport report, CancellationToken cancel)
    {
        await RunIngestGuardedAsync(report, 1, null, cancel);

        PostgresServer? postgres = null;
        try
        {
            Say("[kafka-in] starting PostgreSQL");
            postgres = await BenchPostgres.StartAsync([], cancel);
            using var janitor = Janitor.Register("PostgreSQL of the Kafka scenarios", () => postgres.DisposeAsync().AsTask().GetAwaiter().GetResult());
            await RunIngestGuardedAsync(report, 1, postgres, cancel);
            await RunIngestGuardedAsync(report, 2, postgres, cancel);
        }
        catch (TargetUnavailableException ex)
        {
            report.Skipped.Add(new Note("kafka-in postgres", ex.Message));
            Say($"[kafka-in] PostgreSQL skipped: {ex.Message}");
        }
        finally
        {
            if (postgres is not null)
            {
                await postgres.DisposeAsync();
            }
        }
    }

    private async Task RunIngestGuardedAsync(KafkaReport report, int silos, PostgresServer? postgres, CancellationToken cancel)
    {
        var label = F($"{silos} silo{(silos > 1 ? "s" : "")}, {(postgres is null ? "memory" : "postgres")}");
        cancel.ThrowIfCancellationRequested();
        try
        {
            var result = await RunIngestAsync(label, silos, postgres, report, cancel);
            report.Ingest.Add(result);
            if (!result.Passed)
            {
                report.Errors.Add(new Note($"kafka-in {label}", result.Check));
            }
        }
        catch (Exception ex) when (!cancel.IsCancellationRequested)
        {
            report.Errors.Add(new Note($"kafka-in {label}", $"{ex.GetType().Name}: {ex.Message}"));
            Say($"[kafka-in {label}] FAILED: {ex}");
        }
    }

    private async Task<KafkaIngestResult> RunIngestAsync(string label, int siloCount, PostgresServer? postgres, KafkaReport report, CancellationToken cancel)
    {
        var tag = $"[kafka-in {label}]";
        var cars = options.Cars;
        var perCar = options.KafkaRecordsPerCar;
        var total = (long)cars * perCar;
        await using var kafka = await StartKafkaAsync(report, cancel);

        var settings = SiloNode.BaseSettings(_signingKey);
        settings.AddRange(
        [
            $"--Kafka:BootstrapServers={kafka.BootstrapServers}",
            // A quicker group join for the second silo (the tests' settings); nothing rebalances while records flow.
            "--Kafka:Consumer:session.timeout.ms=6000",
            "--Kafka:Consumer:heartbeat.interval.ms=500",
        ]);
        var clusterId = LocalClusterId;
        string? connectionString = null;
        if (postgres is not null)
        {
            connectionString = await postgres.CreateDatabaseAsync($"kafka_in_{siloCount}", cancel);
            clusterId = $"bench-kafka-{_runId}-{siloCount}";
            settings.AddRange(
            [
                "--Orleans:Clustering=AdoNet",
                $"--Orleans:ClusterId={clusterId}",
                $"--ConnectionStrings:Postgres={connectionString}",
            ]);
        }

        Say($"{tag} starting {siloCount} silo process(es)");
        var silos = new List<SiloNode>();
        try
        {
            var starting = Enumerable.Range(0, siloCount)
                .Select(_ => SiloNode.StartAsync(Interlocked.Increment(ref _nextSilo), settings, Tokens, SiloStartTimeout, cancel))
                .ToList();
            try
            {
                await Task.WhenAll(starting);
            }
            finally
            {
                // Whatever started is stopped below, also when another one failed to.
                silos.AddRange(starting.Where(s => s.IsCompletedSuccessfully).Select(s => s.Result));
            }

            if (postgres is not null)
            {
                await UntilAsync(
                    async () => (await Task.WhenAll(silos.Select(s => s.ActiveSilosAsync(cancel)))).All(n => n == siloCount),
                    SiloStartTimeout, $"every silo reports {siloCount} active silo(s)", cancel);
            }

            using var probe = new KafkaProbe(kafka.BootstrapServers, GroupId);
            var pids = silos.Select(s => s.Process.ProcessId).ToList();
            var lastSeq = new long[cars + 1];
            await using var timeline = new IngestTimeline(probe, silos, TelemetryIn, TelemetryOut, Partitions);

            // 0. Warm-up, not measured: every twin activated and the silos' hot code compiled. A fresh process starts on
            // tier-0 code and compiles the hot paths in the background, which takes many seconds on a busy machine.
            var tsOrigin = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;
            var warm = (long)cars * options.KafkaWarmupRecordsPerCar;
            if (warm > 0)
            {
                await Task.Run(() => ProduceBurst(kafka.BootstrapServers, options.KafkaWarmupRecordsPerCar, lastSeq, tsOrigin, cancel), cancel);
                if (!await timeline.UntilCommittedAsync(warm, IngestStall, cancel))
                {
                    throw new TimeoutException(F($"the {warm:N0} warm-up records were not committed: {timeline.Latest.Committed:N0}"));
                }

                Say(F($"{tag} warm-up: {warm:N0} records applied and committed"));
            }

            // Every partition of the ingest topic assigned, each silo holding some (the silos' assignment gauge).
            var stable = 0;
            await UntilAsync(
                async () =>
                {
                    var scrapes = await Task.WhenAll(silos.Select(s => s.ScrapeAsync(cancel)));
                    var assigned = scrapes.Select(s => (int)s.Sum("digitaltwin_kafka_consumer_assigned", ("topic", TelemetryIn))).ToList();
                    stable = assigned.Sum() == Partitions && assigned.All(a => a > 0) ? stable + 1 : 0;
                    return stable >= 3;
                },
                TimeSpan.FromSeconds(90), $"the {Partitions} partitions of {TelemetryIn} are assigned over {siloCount} silo(s), each holding some", cancel);
            Say($"{tag} {string.Join("; ", silos)}; partitions assigned");

            // 1. Burst: cars x perCar records at once.
            var lagBefore = await CommitLagAsync(silos, cancel);
            var cpuBefore = Cpu(pids, kafka);
            var burstStart = timeline.Now;
            var produceSeconds = await Task.Run(() => ProduceBurst(kafka.BootstrapServers, perCar, lastSeq, tsOrigin, cancel), cancel);
            Say(F($"{tag} burst: {total:N0} records produced in {produceSeconds:0.00} s"));
            if (!await timeline.UntilCommittedAsync(warm + total, IngestStall, cancel))
            {
                Say(F($"{tag} burst: no progress for {IngestStall.TotalSeconds:0} s: {timeline.Latest.Mirrored - warm:N0} applied, {timeline.Latest.Committed - warm:N0} committed of {total:N0}"));
            }

            var burstEnd = timeline.Now;
            var burstCpu = CpuSince(cpuBefore, Cpu(pids, kafka), burstEnd - burstStart, total);
            var lagAfterBurst = await CommitLagAsync(silos, cancel);
            var burst = SummarizeBurst(timeline, perCar, warm, total, burstStart, burstEnd, produceSeconds, lagAfterBurst.Minus(lagBefore), burstCpu);
            Say(F($"{tag} burst: {burst.RecordsPerSecond:N0} records/s (10-90%: {burst.SteadyRecordsPerSecond:N0}); all applied {burst.AllAppliedSeconds:0.00} s, all committed {burst.AllCommittedSeconds:0.00} s after the first produce; silo CPU {burstCpu?.SiloMicrosPerItem:N0} us per record; commit lag mean {burst.Lag.MeanMs:N0} ms"));

            // 2. Steady: half the burst's rate for the scenario's duration, so the silos keep up and there is no backlog.
            IngestSteady? steady = null;
            var steadyRecords = 0L;
            if (burst.SteadyRecordsPerSecond is { } burstRate && burst.AllCommittedSeconds is not null)
            {
                var rate = Math.Max(1, Math.Round(burstRate * 0.5, 0));
                var cpuSteady = Cpu(pids, kafka);
                var steadyStart = timeline.Now;
                steadyRecords = await Task.Run(() => ProduceSteady(kafka.BootstrapServers, rate, options.Duration, lastSeq, cancel), cancel);
                var producedEnd = timeline.Now;
                var steadyCpu = CpuSince(cpuSteady, Cpu(pids, kafka), producedEnd - steadyStart, steadyRecords);
                if (!await timeline.UntilCommittedAsync(warm + total + steadyRecords, IngestStall, cancel))
                {
                    Say(F($"{tag} steady: no progress for {IngestStall.TotalSeconds:0} s"));
                }

                var lagAfterSteady = await CommitLagAsync(silos, cancel);
                steady = SummarizeSteady(timeline, rate, warm + total, steadyRecords, steadyStart, producedEnd, lagAfterSteady.Minus(lagAfterBurst), steadyCpu);
                Say(F($"{tag} steady: {rate:N0} records/s offered for {options.Duration.TotalSeconds:0} s, {steady.AppliedPerSecond:N0} applied/s; commit lag mean {steady.Lag.MeanMs:N0} ms, p50 ~{steady.Lag.P50?.Estimate:N0} ms, p99 ~{steady.Lag.P99?.Estimate:N0} ms; applied -> committed p50 {steady.Lag.AppliedToCommittedP50Ms:N0} ms, p99 {steady.Lag.AppliedToCommittedP99Ms:N0} ms; silo CPU {steadyCpu?.SiloMicrosPerItem:N0} us per record"));
            }

            await timeline.DisposeAsync();

            // Checks: every record applied once and committed, every twin at its last seq.
            var all = warm + total + steadyRecords;
            var finals = await Task.WhenAll(silos.Select(s => s.ScrapeAsync(cancel)));
            double Consumed(PrometheusScrape scrape, string outcome) => scrape.Sum("digitaltwin_kafka_consumed_total", ("topic", TelemetryIn), ("outcome", outcome));
            var appliedPerSilo = finals.Select(s => (long)Consumed(s, "applied")).ToList();
            var duplicates = (long)finals.Sum(s => Consumed(s, "duplicate"));
            var refused = (long)finals.Sum(s => Consumed(s, "rejected") + Consumed(s, "ignored") + Consumed(s, "gave_up"));
            long Commits(string outcome) => (long)finals.Sum(s => s.Sum("digitaltwin_kafka_commits_total", ("outcome", outcome)));
            var vins = Enumerable.Range(1, cars).Select(VinOf).ToList();
            var expected = vins.Select((v, i) => (v, lastSeq[i + 1])).ToDictionary(x => x.v, x => x.Item2, StringComparer.Ordinal);
            var (atLast, how) = postgres is null
                ? await TwinsAtLastLocalAsync(silos, expected, cancel)
                : await TwinsAtLastStoredAsync(connectionString!, expected, cancel);
            var committed = timeline.Latest.Committed;
            var passed = appliedPerSilo.Sum() == all && committed == all && atLast == cars && refused == 0;
            var check = F($"{appliedPerSilo.Sum():N0} of {all:N0} records applied ({duplicates:N0} duplicates, {refused:N0} refused), {committed:N0} committed; {atLast:N0} of {cars:N0} twins at their last seq ({how})");
            Say($"{tag} {(passed ? "ok" : "FAILED")}: {check}");
            if (!passed)
            {
                foreach (var silo in silos)
                {
                    Console.Error.WriteLine($"{tag} {silo}, last lines:{Environment.NewLine}{silo.Process.LogTail(40)}");
                }
            }

            return new KafkaIngestResult(
                label,
                siloCount,
                postgres is null ? "memory" : "postgres",
                cars,
                Partitions,
                "00:00:01 (the default of Kafka:Ingest:CommitInterval)",
                burst,
                steady,
                appliedPerSilo,
                duplicates,
                refused,
                Commits("committed"),
                Commits("not_durable"),
                Commits("failed"),
                passed,
                check);
        }
        finally
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }
        }
    }

    /// <param name="before">Records committed before the burst (the warm-up): the curves count from there.</param>
    private static IngestBurst SummarizeBurst(IngestTimeline timeline, int perCar, long before, long total, double start, double end, double produceSeconds, HistogramBuckets lag, CpuUse? cpu)
    {
        var (applied, source) = AppliedSeries(timeline, before + total);
        var committed = timeline.Committed();
        double? Since(double? t) => t is { } v ? Math.Round(v - start, 3) : null;
        var tAll = Since(IngestTimeline.TimeAt(applied, before + total));
        var t10 = IngestTimeline.TimeAt(applied, before + (total * 0.1));
        var t90 = IngestTimeline.TimeAt(applied, before + (total * 0.9));
        return new IngestBurst(
            perCar,
            total,
            Math.Round(produceSeconds, 3),
            Since(IngestTimeline.TimeAt(applied, before + 1)),
            tAll,
            Since(IngestTimeline.TimeAt(committed, before + total)),
            tAll is { } all && all > 0 ? Math.Round(total / all, 0) : null,
            t10 is { } a && t90 is { } b && b > a ? Math.Round(total * 0.8 / (b - a), 0) : null,
            source,
            Lag(lag, IngestTimeline.Distances(applied, committed, before, before + total)),
            timeline.MaxLag(start, end),
            cpu);
    }

    private static IngestSteady SummarizeSteady(IngestTimeline timeline, double rate, long before, long records, double start, double producedEnd, HistogramBuckets lag, CpuUse? cpu)
    {
        var (applied, _) = AppliedSeries(timeline, before + records);
        var committed = timeline.Committed();
        var seconds = producedEnd - start;
        var appliedInWindow = IngestTimeline.ValueAt(applied, producedEnd) - IngestTimeline.ValueAt(applied, start);
        return new IngestSteady(
            rate,
            Math.Round(seconds, 2),
            records,
            seconds > 0 ? Math.Round(appliedInWindow / seconds, 0) : null,
            Lag(lag, IngestTimeline.Distances(applied, committed, before, before + records)),
            timeline.MaxLag(start, timeline.Now),
            cpu);
    }

    /// <summary>
    /// The applied timeline: the silos' own records in vehicle-telemetry (each applied document is produced there, read
    /// without a cache), unless some are missing; then the /metrics counter.
    /// </summary>
    private static (List<(double T, long V)> Series, string Source) AppliedSeries(IngestTimeline timeline, long total)
    {
        var mirrored = timeline.Mirrored();
        return mirrored.Count > 0 && mirrored[^1].V >= total
            ? (mirrored, $"the records the silos produced to {TelemetryOut} (high watermarks every {IngestTimeline.SampleInterval})")
            : (timeline.AppliedFromMetrics(), $"digitaltwin_kafka_consumed_total on /metrics (every {IngestTimeline.ScrapeInterval}; the exporter caches 300 ms)");
    }

    private static CommitLag Lag(HistogramBuckets histogram, List<double> distances)
    {
        double? Distance(double q) => distances.Count > 0 ? Math.Round(distances[Math.Min(distances.Count - 1, Math.Max(0, (int)Math.Ceiling(q * distances.Count) - 1))], 0) : null;
        return new CommitLag(
            Round3(histogram.Mean),
            Round(histogram.Quantile(0.5)),
            Round(histogram.Quantile(0.99)),
            (long)histogram.Count,
            histogram.Describe(),
            Distance(0.5),
            Distance(0.99),
            distances.Count > 0 ? Math.Round(distances[^1], 0) : null);
    }

    private static async Task<HistogramBuckets> CommitLagAsync(IEnumerable<SiloNode> silos, CancellationToken cancel)
    {
        // The exporter serves a scrape up to 300 ms old: wait that out so that this one is current.
        await Task.Delay(350, cancel);
        var scrapes = await Task.WhenAll(silos.Select(s => s.ScrapeAsync(cancel)));
        return PrometheusScrape.Merge(scrapes.Select(s => s.Histogram("digitaltwin_kafka_commit_lag_milliseconds")));
    }

    private static (double? Silos, double? Kafka, double Bench) Cpu(IEnumerable<int> siloPids, KafkaMockCluster? kafka) =>
        (ProcessCpu.Seconds(siloPids), kafka is null ? null : ProcessCpu.Seconds(kafka.ProcessId), ProcessCpu.Self());

    private static CpuUse? CpuSince((double? Silos, double? Kafka, double Bench) before, (double? Silos, double? Kafka, double Bench) after, double wallSeconds, long items)
    {
        double? Delta(double? a, double? b) => a is { } x && b is { } y ? Math.Round(y - x, 2) : null;
        var silo = Delta(before.Silos, after.Silos);
        return new CpuUse(
            Math.Round(wallSeconds, 2),
            silo,
            Delta(before.Kafka, after.Kafka),
            Math.Round(after.Bench - before.Bench, 2),
            silo is { } s && items > 0 ? Math.Round(s * 1_000_000 / items, 0) : null);
    }

    /// <summary>
    /// cars x perCar telemetry documents into <c>vehicle-telemetry-in</c> at once, key = VIN, round robin over the cars
    /// (as a bridge writing a live fleet would), with timestamps 10 ms apart per car from a minute ago (the steady phase
    /// then writes the time of day, later still). Returns the seconds from the
    /// first record handed over to the last acknowledged.
    /// </summary>
    private static double ProduceBurst(string bootstrap, int perCar, long[] lastSeq, long tsOrigin, CancellationToken cancel)
    {
        using var producer = IngestProducer(bootstrap);
        var payloads = Enumerable.Range(0, lastSeq.Length).Select(n => new TelemetryPayload(n)).ToArray();
        var vins = Enumerable.Range(0, lastSeq.Length).Select(n => n == 0 ? string.Empty : VinOf(n)).ToArray();
        var buffer = new byte[TelemetryPayload.MaxLength];
        var started = Stopwatch.GetTimestamp();
        for (var round = 0; round < perCar; round++)
        {
            cancel.ThrowIfCancellationRequested();
            for (var car = 1; car < lastSeq.Length; car++)
            {
                var seq = ++lastSeq[car];
                var length = payloads[car].Write(buffer, tsOrigin + (seq * 10L), seq);
                Produce(producer, vins[car], buffer.AsSpan(0, length).ToArray());
            }
        }

        Flush(producer);
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>Records at <paramref name="rate"/> per second in total, round robin over the cars, for <paramref name="duration"/>; returns how many.</summary>
    private static long ProduceSteady(string bootstrap, double rate, TimeSpan duration, long[] lastSeq, CancellationToken cancel)
    {
        using var producer = IngestProducer(bootstrap);
        var cars = lastSeq.Length - 1;
        var payloads = Enumerable.Range(0, lastSeq.Length).Select(n => new TelemetryPayload(n)).ToArray();
        var vins = Enumerable.Range(0, lastSeq.Length).Select(n => n == 0 ? string.Empty : VinOf(n)).ToArray();
        var buffer = new byte[TelemetryPayload.MaxLength];
        var started = Stopwatch.GetTimestamp();
        var produced = 0L;
        while (Stopwatch.GetElapsedTime(started) < duration)
        {
            cancel.ThrowIfCancellationRequested();
            var due = (long)(Stopwatch.GetElapsedTime(started).TotalSeconds * rate);
            for (; produced < due; produced++)
            {
                var car = (int)(produced % cars) + 1;
                var seq = ++lastSeq[car];
                var length = payloads[car].Write(buffer, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), seq);
                Produce(producer, vins[car], buffer.AsSpan(0, length).ToArray());
            }

            producer.Poll(TimeSpan.FromMilliseconds(2));
        }

        Flush(producer);
        return produced;
    }

    /// <summary>What a bridge such as EMQX's would run: idempotent, acks=all, a short linger, LZ4.</summary>
    private static IProducer<string, byte[]> IngestProducer(string bootstrap) =>
        new ProducerBuilder<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
            CompressionType = CompressionType.Lz4,
        })
        .SetLogHandler((_, _) => { })
        .Build();

    private static void Produce(IProducer<string, byte[]> producer, string vin, byte[] value)
    {
        var message = new Message<string, byte[]> { Key = vin, Value = value };
        while (true)
        {
            try
            {
                producer.Produce(TelemetryIn, message);
                return;
            }
            catch (ProduceException<string, byte[]> ex) when (ex.Error.Code == Confluent.Kafka.ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(10));
            }
        }
    }

    private static void Flush(IProducer<string, byte[]> producer)
    {
        var left = producer.Flush(TimeSpan.FromSeconds(60));
        if (left > 0)
        {
            throw new InvalidOperationException($"{left} records were not delivered to {TelemetryIn} within 60 s");
        }
    }

    private static string VinOf(int number) => Fleet.VinOf("WKAFKA", number);

    private static async Task<(int AtLast, string How)> TwinsAtLastLocalAsync(List<SiloNode> silos, Dictionary<string, long> expected, CancellationToken cancel)
    {
        var seqs = await TwinSeqReader.ReadAsync(silos.Select(s => s.GatewayPort), LocalClusterId, ServiceId, expected.Keys, cancel);
        return (expected.Count(e => seqs.GetValueOrDefault(e.Key) == e.Value), "read from the twins");
    }

    private static async Task<(int AtLast, string How)> TwinsAtLastStoredAsync(string connectionString, Dictionary<string, long> expected, CancellationToken cancel)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancel);
        await using var sql = new NpgsqlCommand("SELECT vin, last_telemetry_seq FROM vehicle_snapshots WHERE vin = ANY(@vins)", connection);
        sql.Parameters.AddWithValue("vins", expected.Keys.ToArray());
        var atLast = 0;
        await using var reader = await sql.ExecuteReaderAsync(cancel);
        while (await reader.ReadAsync(cancel))
        {
            if (expected.TryGetValue(reader.GetString(0), out var seq) && reader.GetInt64(1) == seq)
            {
                atLast++;
            }
        }

        return (atLast, "stored in PostgreSQL's vehicle_snapshots");
    }

    // ---- shared ---------------------------------------------------------------------------------------------------

    private async Task<KafkaMockCluster> StartKafkaAsync(KafkaReport report, CancellationToken cancel)
    {
        var kafka = await KafkaMockCluster.StartAsync(new KafkaMockClusterOptions
        {
            Brokers = 3,
            Topics = new Dictionary<string, int>
            {
                [TelemetryIn] = Partitions,
                [EventsIn] = 1,
                [TelemetryOut] = Partitions,
                ["vehicle-events"] = 1,
                ["vehicle-twins"] = 1,
                ["vehicle-alerts"] = 1,
                ["vehicle-commands"] = 1,
                ["vehicle-trips"] = 1,
                ["vehicle-dead-letter"] = 1,
            },
        }, cancel);
        if (report.Kafka.Length == 0)
        {
            report.Kafka = F($"librdkafka's mock cluster (librdkafka {Library.VersionString}, Confluent.Kafka {typeof(Library).Assembly.GetName().Version}), 3 brokers in one process of its own on loopback; {TelemetryIn} and {TelemetryOut} {Partitions} partitions each");
        }

        return kafka;
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, CancellationToken cancel)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!await condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"not within {timeout}: {what}");
            }

            await Task.Delay(250, cancel);
        }
    }

    private static async Task WriteJsonAsync(KafkaReport report, string path, CancellationToken cancel)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, report, ReportWriter.Json, cancel);
    }

    private static async Task DelayUntilAsync(long start, TimeSpan offset, CancellationToken cancel)
    {
        var remaining = offset - Stopwatch.GetElapsedTime(start);
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining, cancel);
        }
    }

    private static string Ms(LatencyHistogram histogram, double q) => histogram.PercentileMilliseconds(q).ToString("0.00", CultureInfo.InvariantCulture);

    private static double? Round3(double? value) => value is { } v && !double.IsNaN(v) ? Math.Round(v, 3) : null;

    private static QuantileEstimate? Round(QuantileEstimate? q) => q is null ? null : q with { Estimate = Math.Round(q.Estimate, 1) };

    private void Say(string line)
    {
        output.WriteLine(F($"{_clock.Elapsed.TotalSeconds,6:0.0}s {line}"));
        output.Flush();
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
