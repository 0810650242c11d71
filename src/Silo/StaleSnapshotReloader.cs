using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Persistence.Snapshots;

namespace DigitalTwin.Silo;

/// <summary>Makes the activation whose snapshot lost optimistic concurrency reload from storage.</summary>
internal sealed partial class StaleSnapshotReloader(IGrainFactory grains, ILogger<StaleSnapshotReloader> logger) : IStaleSnapshotObserver
{
    public void OnStaleSnapshot(StaleSnapshot stale) => _ = ReloadAsync(stale);

    private async Task ReloadAsync(StaleSnapshot stale)
    {
        try
        {
            await grains.GetVehicle<IVehicleStorage>(stale.Vin).Reload(stale.StoredVersion);
        }
        catch (Exception ex)
        {
            LogReloadFailed(logger, ex, stale.Vin);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Asking twin {Vin} to reload after a stale snapshot failed")]
    private static partial void LogReloadFailed(ILogger logger, Exception exception, string vin);
}
