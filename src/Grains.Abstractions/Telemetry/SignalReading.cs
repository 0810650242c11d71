using DigitalTwin.Contract.Telemetry;

namespace DigitalTwin.Grains.Abstractions.Telemetry;

/// <summary>The latest value of one signal and the car's sample time for it.</summary>
[GenerateSerializer, Immutable, Alias("dt.SignalReading")]
public readonly record struct SignalReading(
    [property: Id(0)] SignalValue Value,
    [property: Id(1)] long Ts);
