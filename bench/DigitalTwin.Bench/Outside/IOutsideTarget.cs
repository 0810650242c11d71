namespace DigitalTwin.Bench.Outside;

/// <summary>
/// A broker the outside generator publishes to, in a process of its own, with a count of what it took in that the
/// bench reads from outside too (its metrics, its output, a subscriber's output).
/// </summary>
public interface IOutsideTarget : IAsyncDisposable
{
    /// <summary>Short key of the table and the JSON: <c>mqttnet-bare</c>, <c>mosquitto</c>, <c>digitaltwin</c>.</summary>
    string Name { get; }

    /// <summary>What "received" counts for this target.</summary>
    string Description { get; }

    /// <summary>Where cars connect; a cluster has one per silo, and the generator spreads the cars over them.</summary>
    int[] Ports { get; }

    Task StartAsync(CancellationToken cancel);

    /// <summary>Messages taken in so far (applied to a twin, dropped by the interceptor, relayed to the subscriber).</summary>
    ValueTask<long> ReceivedAsync(CancellationToken cancel);

    /// <summary>After a QoS 1 run: every car's last published seq against what the target holds; null when it holds nothing.</summary>
    Task<LossCheck?> VerifyAsync(GeneratorResult generated, CancellationToken cancel);
}
