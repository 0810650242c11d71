namespace DigitalTwin.Persistence.Snapshots;

/// <summary>
/// Told when a staged snapshot lost to a newer one in the database, which means another activation of the same twin
/// has moved on. Register one to make the losing activation reload (for example by deactivating its grain); the store
/// has already logged and counted the loss and dropped the stale snapshot.
/// </summary>
public interface IStaleSnapshotObserver
{
    /// <summary>
    /// Called on a flush writer's thread, possibly from several at once (<c>Persistence:SnapshotWriteConnections</c>); keep
    /// it short, thread-safe, and do not throw.
    /// </summary>
    void OnStaleSnapshot(StaleSnapshot stale);
}
