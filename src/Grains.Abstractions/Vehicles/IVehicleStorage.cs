using Orleans.Concurrency;

namespace DigitalTwin.Grains.Abstractions.Vehicles;

/// <summary>What the snapshot store tells a twin about its own stored state, and what a consumer asks of it.</summary>
[Alias("dt.IVehicleStorage")]
public interface IVehicleStorage : IVehicleRole
{
    /// <summary>
    /// Storage holds a newer snapshot (<paramref name="storedVersion"/>) than this activation wrote: another
    /// activation moved on. Unless this one is already past it, it drops its state and reloads on the next call.
    /// </summary>
    [Alias("Reload")]
    ValueTask Reload(long storedVersion);

    /// <summary>
    /// Stages the twin now and completes once storage holds it, and every history sample it appended before: the
    /// barrier a Kafka consumer passes before it commits the offsets of records this twin applied. Interleaves, so
    /// that waiting for the store never holds up the car's next message.
    /// </summary>
    [AlwaysInterleave, Alias("Persist")]
    ValueTask<PersistedTwin> Persist();
}

/// <param name="Durable">False when the store refused the snapshot (it is full): try again later.</param>
/// <param name="LastTelemetrySeq">What storage now holds; below what the caller applied means that was lost with a silo.</param>
[GenerateSerializer, Immutable, Alias("dt.PersistedTwin")]
public readonly record struct PersistedTwin(
    [property: Id(0)] bool Durable,
    [property: Id(1)] long LastTelemetrySeq,
    [property: Id(2)] long LastEventSeq);
