namespace DigitalTwin.Contract.Events;

/// <summary>A validated event document (<c>vehicles/{vin}/events</c>).</summary>
/// <param name="DataJson">The event's <c>data</c> object as raw JSON, kept as sent.</param>
[GenerateSerializer, Immutable, Alias("dt.VehicleEvent")]
public sealed record VehicleEvent(
    [property: Id(0)] long Ts,
    [property: Id(1)] long Seq,
    [property: Id(2)] string Type,
    [property: Id(3)] string DataJson,
    [property: Id(4)] DateTimeOffset ReceivedAt);
