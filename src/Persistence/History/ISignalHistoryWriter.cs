namespace DigitalTwin.Persistence.History;

/// <summary>Accepts signal samples for history without waiting for PostgreSQL; they are copied in batches.</summary>
public interface ISignalHistoryWriter
{
    /// <summary>
    /// Queues one sample. Returns false if <c>Persistence:MaxPendingHistoryRows</c> samples are already waiting, in
    /// which case the sample is dropped, counted and logged.
    /// </summary>
    bool Append(SignalHistoryRow row);
}
