namespace DigitalTwin.Contract.Telemetry;

[GenerateSerializer, Immutable, Alias("dt.SignalSample")]
public readonly record struct SignalSample(
    [property: Id(0)] string Name,
    [property: Id(1)] SignalValue Value);
