namespace DigitalTwin.Grains.Abstractions.Vehicles;

/// <summary>
/// Each silo's gateway listens on its own stream key; a grain sends a car's commands to the key of the gateway
/// the car is connected to, whichever silo hosts the grain.
/// </summary>
public static class GatewayStreams
{
    public const string Namespace = "gateway";
}
