using DigitalTwin.Grains.Abstractions.Vehicles;

namespace DigitalTwin.Grains.Storage;

/// <summary>
/// Where twins rest between activations. Writes are write-behind: <see cref="Stage"/> hands over the
/// latest snapshot and returns at once; the store decides when it reaches durable storage.
/// </summary>
public interface ITwinSnapshotStore
{
    ValueTask<TwinSnapshot?> LoadAsync(string vin, CancellationToken cancellationToken);

    void Stage(TwinSnapshot snapshot);
}
