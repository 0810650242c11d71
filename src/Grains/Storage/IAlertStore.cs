using DigitalTwin.Grains.Abstractions.Crash;

namespace DigitalTwin.Grains.Storage;

/// <summary>
/// Where alerts are kept. Unlike twin snapshots, a save is durable when it returns: an alert is stored before
/// anyone (the car, an app, a downstream system) hears of it.
/// </summary>
public interface IAlertStore
{
    /// <summary>Inserts or replaces the alert with the same id.</summary>
    ValueTask SaveAsync(CrashAlert alert, CancellationToken cancellationToken);

    /// <summary>One alert of the vehicle; null when it has none with that id.</summary>
    ValueTask<CrashAlert?> GetAsync(string vin, string alertId, CancellationToken cancellationToken);

    /// <summary>The vehicle's alerts, newest first.</summary>
    ValueTask<IReadOnlyList<CrashAlert>> ListAsync(string vin, int limit, CancellationToken cancellationToken);
}
