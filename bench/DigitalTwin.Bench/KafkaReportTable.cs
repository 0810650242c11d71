using System.Globalization;

namespace DigitalTwin.Bench;

/// <summary>Renders a <c>--kafka</c> report as plain-text tables.</summary>
public static class KafkaReportTable
{
    public const string TitlePrefix = "== DigitalTwin bench: Kafka";

    public static void Write(KafkaReport report, TextWriter w)
    {
        w.WriteLine();
        w.WriteLine(F($"{TitlePrefix} (issue 13){(report.Smoke ? " (SMOKE: seconds-long runs, figures are not results)" : "")} =="));
        w.WriteLine(report.Machine.Line(report.LoadAverageAtStart, report.LoadAverageAtEnd));
        w.WriteLine($"kafka: {report.Kafka}");
        w.WriteLine("silos: each a process of its own (dotnet DigitalTwin.Silo.dll, Production); the generator and the Kafka probes run in the bench's process");

        if (report.Mqtt.Count > 0)
        {
            var first = report.Mqtt[0];
            w.WriteLine();
            w.WriteLine(F($"MQTT -> twin -> Kafka, QoS 1: {report.Cars:N0} cars, {report.PayloadBytes} B documents; closed loop with {report.Window} in flight per car, then open loop at {first.LatencyOfferedPerSecond:N0} msgs/s for the latency (publish -> PUBACK); {report.SecondsPerScenario:0.#} s each after {report.WarmupSeconds:0.#} s warm-up"));
            Table(w,
                ["mode", "round", "acked msgs/s", "slowest 1s", "vs off", "silo CPU us/msg", "silo cores", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "+p50 ms", "+p99 ms", "+p99.9 ms", "samples", "silo produce p50/p99 ms (latency phase)", "check"],
                report.Mqtt.Select(r => new[]
                {
                    r.Mode, I(r.Round), N(r.AckedPerSecond), N(r.SlowestSecond), r.RateVsOff is { } x ? x.ToString("0.00", CultureInfo.InvariantCulture) + " x" : "-",
                    Opt(r.ClosedLoopCpu?.SiloMicrosPerItem), Cores(r.ClosedLoopCpu),
                    Ms(r.P50Ms), Ms(r.P99Ms), Ms(r.P999Ms), Ms(r.MaxMs), Signed(r.AddedP50Ms), Signed(r.AddedP99Ms), Signed(r.AddedP999Ms), N(r.LatencySamples),
                    r.ProduceP50Ms is { } p ? F($"{p:0.0}/{r.ProduceP99Ms:0.0}") : "-",
                    r.Passed ? "ok" : "FAILED",
                }));
            foreach (var r in report.Mqtt)
            {
                w.WriteLine(F($"  {r.Mode} #{r.Round}: {r.Settings}; {r.Acked:N0} acknowledged, {r.Failed:N0} failed")
                    + (r.KafkaDelivered is { } d ? F($"; vehicle-telemetry: {d:N0} delivered, {r.KafkaFailed:N0} failed, {r.KafkaDropped:N0} dropped, {r.KafkaRecordsInTopic:N0} in the topic") : "")
                    + F($"; {r.Check}"));
            }
        }

        if (report.Ingest.Count > 0)
        {
            var first = report.Ingest[0];
            w.WriteLine();
            w.WriteLine(F($"Kafka -> twins, burst: {first.Cars:N0} cars x {first.Burst.RecordsPerCar:N0} records = {first.Burst.Records:N0} records into vehicle-telemetry-in ({first.Partitions} partitions) at once, after a warm-up of other records, the silos waiting with every partition assigned; commit interval {first.CommitInterval}"));
            Table(w,
                ["silos", "store", "records/s", "10-90% rate", "produce s", "all applied s", "all committed s", "silo CPU us/record", "silo cores", "commit lag mean ms", "applied->committed p50/p99 ms", "highest lag"],
                report.Ingest.Select(r => new[]
                {
                    I(r.Silos), r.Store, Opt(r.Burst.RecordsPerSecond), Opt(r.Burst.SteadyRecordsPerSecond), S(r.Burst.ProduceSeconds), S(r.Burst.AllAppliedSeconds), S(r.Burst.AllCommittedSeconds),
                    Opt(r.Burst.Cpu?.SiloMicrosPerItem), Cores(r.Burst.Cpu), Opt(r.Burst.Lag.MeanMs), Pair(r.Burst.Lag), N(r.Burst.MaxConsumerLag),
                }));

            var steady = report.Ingest.Where(r => r.Steady is not null).ToList();
            if (steady.Count > 0)
            {
                w.WriteLine();
                w.WriteLine(F($"Kafka -> twins, steady: half the burst's 10-90% rate, round robin over the cars, {steady[0].Steady!.Seconds:0.#} s; commit lag of these records only"));
                Table(w,
                    ["silos", "store", "offered/s", "applied/s", "silo CPU us/record", "silo cores", "commit lag mean ms", "p50 ms (bucket)", "p99 ms (bucket)", "commits", "applied->committed p50/p99/max ms", "highest lag"],
                    steady.Select(r => new[]
                    {
                        I(r.Silos), r.Store, N(r.Steady!.OfferedPerSecond), Opt(r.Steady.AppliedPerSecond), Opt(r.Steady.Cpu?.SiloMicrosPerItem), Cores(r.Steady.Cpu),
                        Opt(r.Steady.Lag.MeanMs), Q(r.Steady.Lag.P50), Q(r.Steady.Lag.P99), N(r.Steady.Lag.Samples),
                        r.Steady.Lag.AppliedToCommittedP50Ms is { } p ? F($"{p:N0}/{r.Steady.Lag.AppliedToCommittedP99Ms:N0}/{r.Steady.Lag.AppliedToCommittedMaxMs:N0}") : "-",
                        N(r.Steady.MaxConsumerLag),
                    }));
            }

            foreach (var r in report.Ingest)
            {
                w.WriteLine(F($"  {r.Label}: {(r.Passed ? "ok" : "FAILED")}: {r.Check}; applied per silo {string.Join(" + ", r.AppliedPerSilo.Select(n => n.ToString("N0", CultureInfo.InvariantCulture)))}; commits {r.Commits:N0} (not durable yet {r.CommitsNotDurable:N0}, failed {r.CommitsFailed:N0})"));
                w.WriteLine(F($"    burst commit lag buckets (ms): {r.Burst.Lag.Buckets}; steady: {r.Steady?.Lag.Buckets ?? "-"}; applied timeline from {r.Burst.AppliedSource}"));
            }
        }

        foreach (var note in report.Skipped)
        {
            w.WriteLine($"skipped {note.Part}: {note.Message}");
        }

        foreach (var note in report.Errors)
        {
            w.WriteLine($"ERROR in {note.Part}: {note.Message}");
        }

        w.WriteLine(F($"total {report.TotalSeconds:0} s"));
    }

    private static void Table(TextWriter w, string[] header, IEnumerable<string[]> rows)
    {
        var all = new List<string[]> { header };
        all.AddRange(rows);
        var widths = header.Select((_, i) => all.Max(r => r[i].Length)).ToArray();
        foreach (var row in all)
        {
            w.WriteLine("  " + string.Join("  ", row.Select((cell, i) => IsNumber(cell) && row != header ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i]))).TrimEnd());
        }
    }

    private static bool IsNumber(string cell) => cell.Length > 0 && (char.IsDigit(cell[0]) || cell[0] is '-' or '+' or '~');

    private static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Opt(double? value) => value is { } v ? N(v) : "-";

    private static string Cores(CpuUse? cpu) => cpu?.SiloSeconds is { } s && cpu.WallSeconds > 0 ? (s / cpu.WallSeconds).ToString("0.00", CultureInfo.InvariantCulture) : "-";

    private static string Pair(CommitLag lag) => lag.AppliedToCommittedP50Ms is { } p ? F($"{p:N0}/{lag.AppliedToCommittedP99Ms:N0}") : "-";

    private static string S(double? seconds) => seconds is { } s ? s.ToString("0.00", CultureInfo.InvariantCulture) : "-";

    private static string Ms(double? value) => value is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "-";

    private static string Signed(double? value) => value is { } v ? v.ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture) : "-";

    private static string Q(QuantileEstimate? q) => q is null
        ? "-"
        : F($"~{q.Estimate:N0} ({q.Lower:0.###}-{(q.Upper is { } u ? u.ToString("0.###", CultureInfo.InvariantCulture) : "+Inf")})");

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
