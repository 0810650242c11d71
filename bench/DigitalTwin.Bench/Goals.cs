using System.Globalization;

namespace DigitalTwin.Bench;

/// <summary>The targets, each judged against this run's figures: met, missed, or not measured.</summary>
public static class Goals
{
    public const double LimitRatio = 0.8;
    public const double MosquittoRatioQos0 = 1.0;
    public const double MosquittoRatioQos1 = 1.2;
    public const double P99LimitMs = 5;
    public const double BytesPerIdleTwin = 4096;
    public const double SustainedSeconds = 30;

    // "Sustained" = no second of the window fell below half the mean: a stall or a collapse shows up here.
    public const double SustainedFloor = 0.5;

    public static IEnumerable<GoalResult> Evaluate(BenchReport report)
    {
        foreach (var ratio in report.Ratios)
        {
            yield return RatioGoal($"Twin ingest >= {LimitRatio:0.0} x bare-MQTTnet limit, QoS {ratio.Qos}", ratio.VsLimit, LimitRatio);
        }

        foreach (var ratio in report.Ratios)
        {
            var target = ratio.Qos == 0 ? MosquittoRatioQos0 : MosquittoRatioQos1;
            yield return RatioGoal($"Twin ingest >= {target:0.0} x Mosquitto relay, QoS {ratio.Qos}", ratio.VsMosquitto, target);
        }

        var twinQos1 = report.Throughput.FirstOrDefault(t => t.Target == "digitaltwin" && t.Qos == 1);
        if (twinQos1 is null)
        {
            yield return new GoalResult("Zero loss at QoS 1", "not measured", "no DigitalTwin QoS 1 run");
            yield return new GoalResult($"Sustained {SustainedSeconds:0} s", "not measured", "no DigitalTwin QoS 1 run");
        }
        else
        {
            var latencyChecks = report.Latency.Select(l => l.Check).OfType<LossCheck>().ToList();
            var behind = (twinQos1.Check?.CarsBehind ?? 0) + latencyChecks.Sum(c => c.CarsBehind);
            var lossFree = twinQos1.Lost == 0 && twinQos1.Failed == 0 && twinQos1.Check is { Passed: true } && latencyChecks.All(c => c.Passed);
            yield return new GoalResult(
                "Zero loss at QoS 1",
                lossFree ? "met" : "missed",
                F($"{twinQos1.Published:N0} acknowledged, {twinQos1.Received:N0} applied, {twinQos1.Lost:N0} lost, {twinQos1.Failed:N0} failed; last seq of {twinQos1.Check?.CarsChecked ?? 0:N0} cars read back, {behind} behind (throughput and latency runs)"));

            var sustained = twinQos1.Seconds >= SustainedSeconds && twinQos1.MinPerSecond >= SustainedFloor * twinQos1.MessagesPerSecond;
            yield return new GoalResult(
                $"Sustained {SustainedSeconds:0} s (QoS 1, slowest second >= {SustainedFloor:0%} of mean)",
                sustained ? "met" : "missed",
                F($"{twinQos1.Seconds:0.#} s measured, mean {twinQos1.MessagesPerSecond:N0}/s, slowest second {twinQos1.MinPerSecond:N0}/s"));
        }

        var half = report.Latency.FirstOrDefault(l => Math.Abs(l.Fraction - 0.5) < 0.01);
        yield return half?.P99Ms is { } p99
            ? new GoalResult($"p99 publish -> twin updated < {P99LimitMs:0} ms at 50% of max", p99 < P99LimitMs ? "met" : "missed", F($"p99 {p99:0.00} ms at {half.AchievedPerSecond:N0} msgs/s"))
            : new GoalResult($"p99 publish -> twin updated < {P99LimitMs:0} ms at 50% of max", "not measured", "no latency run");

        var memory = report.Memory.Where(m => m.HistoryPerSignal == 0).MaxBy(m => m.Twins);
        yield return memory is null
            ? new GoalResult("<= 4 KB resident per idle twin with 20 signals", "not measured", "no memory run")
            : new GoalResult(
                "<= 4 KB resident per idle twin with 20 signals",
                memory.WorkingSetBytesPerTwin <= BytesPerIdleTwin ? "met" : "missed",
                F($"{memory.WorkingSetBytesPerTwin:N0} B resident ({memory.GcHeapBytesPerTwin:N0} B managed) per twin at {memory.Twins:N0} twins, in-memory history off"));
    }

    private static GoalResult RatioGoal(string goal, double? ratio, double target) => ratio is { } r
        ? new GoalResult(goal, r >= target ? "met" : "missed", F($"{r:0.00} x"))
        : new GoalResult(goal, "not measured", "a side of the ratio was not run");

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
