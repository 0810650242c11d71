namespace DigitalTwin.Grains.Abstractions.Vehicles;

/// <summary>
/// Where this silo's twins report their changes for systems outside the backend: with Kafka on, the records of
/// <c>vehicle-twins</c>, <c>vehicle-alerts</c> and <c>vehicle-commands</c>; otherwise nowhere
/// (<see cref="NoVehicleChangeFeed"/>). Unlike the vehicle stream, which carries changes only while an app watches, it
/// hears every change of every twin, so the grain calls it in its own turn and never waits: an implementation hands the
/// change over at once and never throws into the grain, and whatever happens to it next (a broker that is down, a full
/// queue) is its own business to count and report.
/// </summary>
public interface IVehicleChangeFeed
{
    /// <param name="vin">The car that changed (a command does not name its car itself).</param>
    /// <param name="change">
    /// <see cref="TwinChanged"/> for each snapshot the twin stages for storage (at most once per
    /// <c>Persistence:FlushInterval</c>, and when it deactivates: the twin coalesced the way storage coalesces it);
    /// <see cref="AlertChanged"/> for every alert raised or changed and <see cref="CommandChanged"/> for every command
    /// state change, each once, after it was stored.
    /// </param>
    void Publish(string vin, VehicleStreamEvent change);
}

/// <summary>Kafka is off: the changes have nowhere to go besides the twin's own stream and storage.</summary>
public sealed class NoVehicleChangeFeed : IVehicleChangeFeed
{
    public static NoVehicleChangeFeed Instance { get; } = new();

    public void Publish(string vin, VehicleStreamEvent change)
    {
    }
}
