using DigitalTwin.Contract.Telemetry;

namespace DigitalTwin.Grains.Storage;

/// <summary>
/// Takes the samples of applied telemetry into signal history. Appends are write-behind: they return at once and
/// never block a grain.
/// </summary>
public interface ISignalHistoryWriter
{
    /// <summary>Queues every signal of <paramref name="message"/>, stamped with its sample time.</summary>
    /// <returns>How many samples were kept; fewer than sent means the store's bound was reached (or history is off).</returns>
    int Append(string vin, TelemetryMessage message);

    /// <summary>
    /// Completes once every sample appended before the call is written (or refused as data and counted): with
    /// <see cref="ITwinSnapshotStore.WhenWrittenAsync"/>, the barrier before a Kafka offset is committed.
    /// </summary>
    ValueTask WhenWrittenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Whether <paramref name="samples"/> more fit under the store's bound now. The twin asks before it applies
    /// telemetry: a PUBACK is a promise, so when history is full the car waits instead of losing samples.
    /// </summary>
    bool HasRoomFor(int samples);

    /// <summary>Completes once <see cref="HasRoomFor"/> would say yes; cancel it to give up.</summary>
    ValueTask WhenRoomForAsync(int samples, CancellationToken cancellationToken);
}
