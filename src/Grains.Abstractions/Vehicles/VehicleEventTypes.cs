namespace DigitalTwin.Grains.Abstractions.Vehicles;

/// <summary>The SSE <c>event:</c> names of a vehicle's stream, one per kind of <see cref="VehicleStreamEvent"/>.</summary>
public static class VehicleEventTypes
{
    public const string Twin = "twin";
    public const string Alert = "alert";
    public const string Command = "command";
    public const string Notification = "notification";
    public const string Trip = "trip";
    public const string Charging = "charging";
}
