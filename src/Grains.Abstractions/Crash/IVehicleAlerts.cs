using DigitalTwin.Grains.Abstractions.Vehicles;

namespace DigitalTwin.Grains.Abstractions.Crash;

/// <summary>A car's alerts, and what operators do with them.</summary>
[Alias("dt.IVehicleAlerts")]
public interface IVehicleAlerts : IVehicleRole
{
    /// <summary>Alerts of this vehicle, newest first.</summary>
    [Alias("GetAlerts")]
    ValueTask<IReadOnlyList<CrashAlert>> GetAlerts(int limit);

    [Alias("AcknowledgeAlert")]
    ValueTask<(AlertChange Change, CrashAlert? Alert)> AcknowledgeAlert(string alertId, string by);

    [Alias("ResolveAlert")]
    ValueTask<(AlertChange Change, CrashAlert? Alert)> ResolveAlert(string alertId, string by);
}
