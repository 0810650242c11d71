namespace DigitalTwin.Grains.Abstractions.Telemetry;

/// <param name="SignalsDropped">
/// Signals not kept because the twin already holds its maximum number of distinct signals.
/// </param>
[GenerateSerializer, Immutable, Alias("dt.ApplyResult")]
public readonly record struct ApplyResult(
    [property: Id(0)] ApplyOutcome Outcome,
    [property: Id(1)] int SignalsDropped = 0)
{
    public static readonly ApplyResult Applied = new(ApplyOutcome.Applied);
    public static readonly ApplyResult Duplicate = new(ApplyOutcome.Duplicate);
    public static readonly ApplyResult Deferred = new(ApplyOutcome.Deferred);
}
