namespace DigitalTwin.Grains.Abstractions.Vehicles;

/// <summary>What the snapshot store tells a twin about its own stored state.</summary>
[Alias("dt.IVehicleStorage")]
public interface IVehicleStorage : IVehicleRole
{
    /// <summary>
    /// Storage holds a newer snapshot (<paramref name="storedVersion"/>) than this activation wrote: another
    /// activation moved on. Unless this one is already past it, it drops its state and reloads on the next call.
    /// </summary>
    [Alias("Reload")]
    ValueTask Reload(long storedVersion);
}
