using System.Globalization;

namespace DigitalTwin.Bench;

/// <summary>Renders the report as plain-text tables; the first line is what CI looks for.</summary>
public static class ReportTable
{
    public const string TitlePrefix = "== DigitalTwin bench";

    public static void Write(BenchReport report, TextWriter w)
    {
        w.WriteLine();
        w.WriteLine(F($"{TitlePrefix}{(report.Smoke ? " (SMOKE: seconds-long runs, figures are not results)" : "")} =="));
        w.WriteLine(report.Machine.Line(report.LoadAverageAtStart, report.LoadAverageAtEnd));
        w.WriteLine(F($"fleet: {report.Cars:N0} cars over MQTT 5/TCP on loopback, {report.PayloadBytes} B telemetry document, QoS 1 window {report.Window} per car; {report.SecondsPerScenario:0.#} s measured after {report.WarmupSeconds:0.#} s warm-up per scenario"));
        w.WriteLine();

        w.WriteLine("Throughput (messages/s taken in by the target, measured at the target)");
        Table(w,
            ["target", "qos", "msgs/s", "slowest 1s", "fastest 1s", "published", "received", "lost", "failed", "last-seq check"],
            report.Throughput.Select(t => new[]
            {
                t.Target, I(t.Qos), N(t.MessagesPerSecond), N(t.MinPerSecond), N(t.MaxPerSecond), N(t.Published), N(t.Received), N(t.Lost), N(t.Failed),
                t.Check is { } c ? (c.Passed ? F($"ok ({c.CarsChecked:N0} cars)") : F($"{c.CarsBehind} cars behind by {c.SeqsMissing:N0}")) : "-",
            }));

        if (report.Latency.Count > 0)
        {
            w.WriteLine();
            w.WriteLine("Latency, DigitalTwin, QoS 1: publish start -> PUBACK, which is sent after the twin applied it (open-loop load)");
            Table(w,
                ["load", "offered/s", "achieved/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "samples", "skipped", "failed"],
                report.Latency.Select(l => new[]
                {
                    F($"{l.Fraction:0%} of max"), N(l.OfferedPerSecond), N(l.AchievedPerSecond), Ms(l.P50Ms), Ms(l.P99Ms), Ms(l.P999Ms), Ms(l.MaxMs), N(l.Count), N(l.Skipped), N(l.Failed),
                }));
        }

        if (report.Memory.Count > 0)
        {
            w.WriteLine();
            w.WriteLine("Memory per idle twin (20 signals each, activated by direct grain calls, full GC before and after)");
            Table(w,
                ["twins", "in-memory history", "resident B/twin", "managed B/twin", "activations/s"],
                report.Memory.Select(x => new[]
                {
                    N(x.Twins), x.HistoryPerSignal == 0 ? "off" : F($"{x.HistoryPerSignal} points/signal"), N(x.WorkingSetBytesPerTwin), N(x.GcHeapBytesPerTwin), N(x.ActivationsPerSecond),
                }));
        }

        if (report.Flush.Count > 0)
        {
            w.WriteLine();
            w.WriteLine("Snapshot flush (one WritePendingAsync of N staged twins, 20 signals each, every row updated to a higher version)");
            Table(w,
                ["twins", "rounds", "rows/s at p50", "rows/s slowest", "p50 ms", "p99 ms", "statements/flush", "rows/statement", "first insert ms", "signals B/row", "check"],
                report.Flush.Select(x => new[]
                {
                    N(x.Twins), I(x.Rounds), N(x.RowsPerSecondP50), N(x.RowsPerSecondSlowest), Ms1(x.P50Ms), Ms1(x.P99Ms), x.StatementsPerFlush.ToString("0.##", CultureInfo.InvariantCulture),
                    N(x.RowsPerStatement), N(x.FirstInsertMs), N(x.SignalsJsonBytes), x.Verified ? "ok" : "FAILED",
                }));
        }

        foreach (var c in report.Crash)
        {
            w.WriteLine();
            w.WriteLine(F($"Crash alerts, DigitalTwin, QoS 1: {c.Crashes:N0} crashes at {c.CrashesPerSecond:0.#}/s, each on its own car, spread over {c.Twins:N0} twins ({c.ConnectedCars:N0} connected over MQTT, {c.ActivatedByGrainCalls:N0} activated by grain calls)"));
            w.WriteLine(F($"  while {c.StreamingCars:N0} cars stream ordinary telemetry at {c.BackgroundOfferedPerSecond:N0} msgs/s offered, {c.BackgroundAchievedPerSecond:N0} achieved; alert store: {c.AlertStoreDetail}"));
            Table(w,
                ["measure", "p50 ms", "p99 ms", "max ms", "samples", "missing"],
                c.Latencies.Select(l => new[] { l.Measure, Ms(l.P50Ms), Ms(l.P99Ms), Ms(l.MaxMs), N(l.Samples), N(l.Missing) }));
            w.WriteLine(F($"  checks: {(c.Passed ? "ok" : "FAILED")}: {c.Verification}"));
            w.WriteLine(F($"  connect {c.ConnectSeconds:0.0} s, activation {c.ActivationSeconds:0.0} s, crashes {c.CrashSeconds:0.0} s; worst crash start behind its slot {c.MaxStartLagMs:0.0} ms; ordinary publishes skipped {c.BackgroundSkipped:N0}"));
            w.WriteLine(F($"  {c.GcPauses}"));
        }

        if (report.Ratios.Count > 0)
        {
            w.WriteLine();
            w.WriteLine("Ratios (DigitalTwin msgs/s / baseline msgs/s)");
            Table(w,
                ["qos", "DigitalTwin msgs/s", "/ limit (bare MQTTnet)", "/ Mosquitto relay", "/ naive (INSERT per msg)"],
                report.Ratios.Select(r => new[] { I(r.Qos), r.DigitalTwin is { } d ? N(d) : "-", X(r.VsLimit), X(r.VsMosquitto), X(r.VsNaive) }));
        }

        if (report.Goals.Count > 0)
        {
            w.WriteLine();
            w.WriteLine("Targets of the issue");
            Table(w, ["target", "status", "figure"], report.Goals.Select(g => new[] { g.Goal, g.Status, g.Figure }));
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
            // Text left, numbers right, as a reader expects.
            w.WriteLine("  " + string.Join("  ", row.Select((cell, i) => IsNumber(cell) && row != header ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i]))).TrimEnd());
        }
    }

    private static bool IsNumber(string cell) => cell.Length > 0 && (char.IsDigit(cell[0]) || cell[0] == '-') && !cell.Contains(' ', StringComparison.Ordinal);

    private static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Ms(double? value) => value is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "-";

    private static string Ms1(double value) => value.ToString("N1", CultureInfo.InvariantCulture);

    private static string X(double? ratio) => ratio is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) + " x" : "-";

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
