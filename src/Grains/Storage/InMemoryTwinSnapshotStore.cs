using System.Collections.Concurrent;
using DigitalTwin.Grains.Abstractions.Vehicles;

namespace DigitalTwin.Grains.Storage;

/// <summary>The embedded default: twins survive deactivation, not a restart of the process.</summary>
public sealed class InMemoryTwinSnapshotStore : ITwinSnapshotStore
{
    private readonly ConcurrentDictionary<string, TwinSnapshot> _snapshots = new(StringComparer.Ordinal);

    public ValueTask<TwinSnapshot?> LoadAsync(string vin, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_snapshots.GetValueOrDefault(vin));

    public bool Stage(TwinSnapshot snapshot)
    {
        _snapshots.AddOrUpdate(snapshot.Vin, snapshot, (_, existing) => snapshot.Version >= existing.Version ? snapshot : existing);
        return true;
    }

    /// <summary>As durable as this store gets once staged: nothing to wait for.</summary>
    public ValueTask WhenWrittenAsync(string vin, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
