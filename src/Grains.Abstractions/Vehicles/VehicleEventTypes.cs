namespace DigitalTwin.Grains.Abstractions.Vehicles;

/// <summary>The SSE <c>event:</c> names of a vehicle's stream.</summary>
public static class VehicleEventTypes
{
    /// <summary>The whole twin after a change; a newer one supersedes every older one.</summary>
    public const string Twin = "twin";

    /// <summary>An alert raised or changed (acknowledged, resolved, updated by a later trigger).</summary>
    public const string Alert = "alert";

    /// <summary>A command created or moved to another state.</summary>
    public const string Command = "command";
}
