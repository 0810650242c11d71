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
}
