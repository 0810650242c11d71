using DigitalTwin.Grains.Abstractions.Telemetry;

namespace DigitalTwin.Grains.Abstractions.Vehicles;

/// <summary>The digital twin of one car, keyed by its VIN.</summary>
[Alias("dt.IVehicleGrain")]
public interface IVehicleGrain : IGrainWithStringKey
{
    [Alias("ApplyTelemetry")]
    ValueTask<ApplyResult> ApplyTelemetry(TelemetryMessage message);

    [Alias("ApplyEvent")]
    ValueTask<ApplyResult> ApplyEvent(VehicleEvent vehicleEvent);

    /// <summary>The car's MQTT session opened or closed, or it reported its status.</summary>
    [Alias("ReportConnectivity")]
    ValueTask ReportConnectivity(bool online, DateTimeOffset at);

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
