namespace DigitalTwin.Bench;

/// <summary>Something the fleet publishes to, with a receiver-side count of what it took in.</summary>
public interface IBenchTarget : IAsyncDisposable
{
    /// <summary>Short key used in the table and the JSON (e.g. <c>digitaltwin</c>).</summary>
    string Name { get; }

    /// <summary>What "received" means for this target, for the report.</summary>
    string Description { get; }

    int Port { get; }

    /// <summary>Messages the target has taken in so far: applied to a twin, counted, relayed or inserted.</summary>
    long Received { get; }

    /// <summary>
    /// Called with a count whenever the target is done with messages, whatever became of them (applied,
    /// duplicate, rejected): the generator's credit follows it. Null to stop. Implementations read the field once
    /// per call, so a listener may still be called briefly after it was replaced.
    /// </summary>
    Action<int>? ProcessedListener { get; set; }

    Task StartAsync(CancellationToken cancel);

    /// <summary>A per-car check after a scenario, beyond the message count; null when the target has none.</summary>
    Task<LossCheck?> VerifyAsync(Fleet fleet, CancellationToken cancel);
}
