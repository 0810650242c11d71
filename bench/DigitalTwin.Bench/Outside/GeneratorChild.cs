using System.Diagnostics;
using DigitalTwin.Security;
using MQTTnet.Protocol;

namespace DigitalTwin.Bench.Outside;

/// <summary>
/// The load generator as a process of its own (<c>--generator SPEC</c>): connects the fleet, says so, publishes for the
/// spec's seconds and prints its result as one JSON line. Nothing else runs in it, so no target shares its runtime,
/// thread pool or GC.
/// </summary>
public static class GeneratorChild
{
    public const string ConnectedLine = "generator: connected";
    public const string PublishingLine = "generator: publishing";
    public const string ResultPrefix = "generator: result ";

    // Open loop: a car with this many publishes unanswered skips its turn instead of queueing without bound.
    private const int OpenLoopMaxInFlight = 50;

    public static async Task<int> RunAsync(GeneratorSpec spec, TextWriter output, CancellationToken cancel)
    {
        await using var fleet = Fleet.Create(spec.Cars, spec.Ports, new TokenIssuer(spec.SigningKey));
        var connecting = Stopwatch.StartNew();
        await fleet.ConnectAsync(cancel);
        var connectSeconds = connecting.Elapsed.TotalSeconds;
        output.WriteLine(ConnectedLine);
        output.WriteLine(PublishingLine);
        output.Flush();

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        stop.CancelAfter(TimeSpan.FromSeconds(spec.Seconds));
        var histogram = new LatencyHistogram();
        long skipped = 0;
        if (spec.Rate > 0)
        {
            var recordFrom = Stopwatch.GetTimestamp() + (long)(spec.WarmupSeconds * Stopwatch.Frequency);
            skipped = await fleet.RunOpenLoopAsync(spec.Rate, OpenLoopMaxInFlight, histogram, recordFrom, stop.Token);
        }
        else
        {
            var qos = spec.Qos == 0 ? MqttQualityOfServiceLevel.AtMostOnce : MqttQualityOfServiceLevel.AtLeastOnce;
            await fleet.RunClosedLoopAsync(qos, spec.Window, target: null, stop.Token);
        }

        var result = new GeneratorResult(
            fleet.Published,
            fleet.Failed,
            fleet.LostConnections,
            Math.Round(connectSeconds, 2),
            fleet.Cars.Select(c => c.LastAcknowledgedSeq).ToArray(),
            fleet.Cars.Count(c => c.Failed > 0),
            skipped,
            histogram.Count,
            histogram.PercentileMilliseconds(0.50),
            histogram.PercentileMilliseconds(0.99),
            histogram.PercentileMilliseconds(0.999),
            histogram.MaxMilliseconds);
        output.WriteLine(ResultPrefix + System.Text.Json.JsonSerializer.Serialize(result, OutsideJson.Options));
        output.Flush();
        return 0;
    }
}
