using System.Text.Json;

namespace DigitalTwin.Bench.Outside;

/// <summary>What one generator process does: the fleet, the target's ports (cars spread over them), the load, how long.</summary>
/// <param name="Rate">Messages per second over all cars, open loop (QoS 1, timed to the PUBACK); 0 = closed loop.</param>
/// <param name="WarmupSeconds">Open loop: latencies of publishes started before this are not recorded.</param>
public sealed record GeneratorSpec(int[] Ports, int Cars, int Qos, int Window, double Seconds, double WarmupSeconds, double Rate, string SigningKey)
{
    public string ToJson() => JsonSerializer.Serialize(this, OutsideJson.Options);

    public static GeneratorSpec FromJson(string json) =>
        JsonSerializer.Deserialize<GeneratorSpec>(json, OutsideJson.Options) ?? throw new JsonException("empty generator spec");
}

/// <summary>What a generator process reports when its run is over.</summary>
/// <param name="LastSeqs">Each car's last acknowledged seq (written at QoS 0), by car number - 1.</param>
/// <param name="FailedCars">Cars with at least one publish not acknowledged with success.</param>
public sealed record GeneratorResult(
    long Published,
    long Failed,
    int LostConnections,
    double ConnectSeconds,
    long[] LastSeqs,
    int FailedCars,
    long Skipped,
    long Recorded,
    double P50Ms,
    double P99Ms,
    double P999Ms,
    double MaxMs);

internal static class OutsideJson
{
    // An empty latency histogram has no percentiles: NaN, written as a named literal rather than failing the run.
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
