using DigitalTwin.Grains.Abstractions.Vehicles;

namespace DigitalTwin.Persistence.Snapshots;

/// <summary>A pending snapshot with its signal map already in the JSON that goes into <c>vehicle_snapshots.signals</c>.</summary>
internal readonly record struct SnapshotRow(TwinSnapshot Snapshot, string SignalsJson);
