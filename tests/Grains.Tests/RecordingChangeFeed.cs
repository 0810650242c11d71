using System.Collections.Concurrent;
using DigitalTwin.Grains.Abstractions.Vehicles;

namespace DigitalTwin.Grains.Tests;

/// <summary>Stands in for the Kafka change feed: records every change the grains hand over, in order.</summary>
internal sealed class RecordingChangeFeed : IVehicleChangeFeed
{
    private readonly ConcurrentQueue<(string Vin, VehicleStreamEvent Change)> _changes = new();

    public void Publish(string vin, VehicleStreamEvent change) => _changes.Enqueue((vin, change));

    /// <summary>The changes of one car so far, in the order its grain handed them over.</summary>
    public IReadOnlyList<VehicleStreamEvent> Of(string vin) => _changes.Where(c => c.Vin == vin).Select(c => c.Change).ToList();
}
