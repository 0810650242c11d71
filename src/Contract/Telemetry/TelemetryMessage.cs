namespace DigitalTwin.Contract.Telemetry;

/// <summary>A validated telemetry document, as the gateway hands it to the vehicle's grain.</summary>
/// <param name="Ts">Sample time in the car, Unix epoch milliseconds.</param>
/// <param name="Seq">Per-vehicle counter that only grows.</param>
/// <param name="Signals">The accepted signals; rejected ones never get this far.</param>
/// <param name="ReceivedAt">When the cloud received the document.</param>
[GenerateSerializer, Immutable, Alias("dt.TelemetryMessage")]
public sealed record TelemetryMessage(
    [property: Id(0)] long Ts,
    [property: Id(1)] long Seq,
    [property: Id(2)] SignalSample[] Signals,
    [property: Id(3)] DateTimeOffset ReceivedAt);
