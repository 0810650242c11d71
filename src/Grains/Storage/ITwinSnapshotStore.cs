using DigitalTwin.Grains.Abstractions.Vehicles;

namespace DigitalTwin.Grains.Storage;

/// <summary>
/// Where twins rest between activations. Writes are write-behind: <see cref="Stage"/> hands over the
/// latest snapshot and returns at once; the store decides when it reaches durable storage.
/// </summary>
public interface ITwinSnapshotStore
{
    ValueTask<TwinSnapshot?> LoadAsync(string vin, CancellationToken cancellationToken);

    /// <returns>False when the store is full and refused the snapshot (counted); the twin stays dirty and stages again.</returns>
    bool Stage(TwinSnapshot snapshot);

    /// <summary>
    /// Completes once what this vehicle staged before the call (or something newer) is in durable storage: the barrier
    /// a Kafka consumer waits for before it commits the offsets of records this twin applied.
    /// </summary>
    ValueTask WhenWrittenAsync(string vin, CancellationToken cancellationToken);
}
