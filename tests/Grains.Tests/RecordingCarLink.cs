using System.Collections.Concurrent;
using DigitalTwin.Contract;
using DigitalTwin.Grains.Abstractions.Vehicles;

namespace DigitalTwin.Grains.Tests;

/// <summary>Stands in for a gateway: records what grains deliver to the car.</summary>
internal sealed class RecordingCarLink : ICarLink
{
    public ConcurrentQueue<CarMessage> Delivered { get; } = new();

    public Task Send(CarMessage message)
    {
        Delivered.Enqueue(message);
        return Task.CompletedTask;
    }
}
