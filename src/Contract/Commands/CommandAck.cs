namespace DigitalTwin.Contract.Commands;

/// <summary>A car's answer on <c>vehicles/{vin}/commands/ack</c>.</summary>
[GenerateSerializer, Immutable, Alias("dt.CommandAck")]
public sealed record CommandAck(
    [property: Id(0)] Guid Id,
    [property: Id(1)] CommandAckStatus Status,
    [property: Id(2)] string? Reason);
