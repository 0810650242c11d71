namespace DigitalTwin.Grains.Abstractions.Commands;

/// <summary>A validated command and where it is in its life.</summary>
/// <param name="Id">The command's id, also the <c>id</c> of the command document and of the car's acks.</param>
/// <param name="ParamsJson">The validated parameters, rewritten in a canonical form (known fields only, instants in UTC).</param>
/// <param name="ExpiresAt">When an unsent or unacknowledged command stops being worth carrying out.</param>
/// <param name="Reason">The car's reason from its last ack, or why the cloud ended the command.</param>
[GenerateSerializer, Immutable, Alias("dt.VehicleCommand")]
public sealed record VehicleCommand(
    [property: Id(0)] Guid Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string ParamsJson,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset ExpiresAt,
    [property: Id(5)] CommandState State,
    [property: Id(6)] string? Reason = null)
{
    /// <summary>The client's <c>Idempotency-Key</c>: a retried POST with the same key returns this command.</summary>
    [Id(7)] public string? IdempotencyKey { get; init; }

    [Id(8)] public DateTimeOffset UpdatedAt { get; init; }
}
