namespace DigitalTwin.Grains.Abstractions.Vehicles;

/// <summary>A cloud-to-car MQTT message, routed to the gateway that holds the car's session.</summary>
[GenerateSerializer, Immutable, Alias("dt.OutboundMessage")]
public sealed record OutboundMessage(
    [property: Id(0)] string Vin,
    [property: Id(1)] string Topic,
    [property: Id(2)] byte[] Payload);
