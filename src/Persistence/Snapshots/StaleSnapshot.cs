namespace DigitalTwin.Persistence.Snapshots;

/// <summary>A snapshot that lost optimistic concurrency: the database already holds a newer version of the twin.</summary>
public sealed record StaleSnapshot(string Vin, long StagedVersion, long StoredVersion);
