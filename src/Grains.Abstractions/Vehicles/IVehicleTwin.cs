namespace DigitalTwin.Grains.Abstractions.Vehicles;

/// <summary>The twin as it is now, and its live changes.</summary>
[Alias("dt.IVehicleTwin")]
public interface IVehicleTwin : IVehicleRole
{
    [Alias("GetTwin")]
    ValueTask<TwinSnapshot> GetTwin();

    /// <summary>
    /// Asks the grain to publish its changes on its stream for the next <see cref="VehicleStreams.WatchLease"/>,
    /// and returns what a watcher that last saw <paramref name="lastEventId"/> missed (the current twin if it
    /// changed since, then newer events still buffered), oldest first.
    /// </summary>
    [Alias("Watch")]
    ValueTask<IReadOnlyList<VehicleStreamEvent>> Watch(long? lastEventId);
}
