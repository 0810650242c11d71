using System.Collections.Concurrent;
using DigitalTwin.Grains.Abstractions.Vehicles;

namespace DigitalTwin.Grains.Tests;

/// <summary>Stands in for a gateway: records what grains deliver to the car.</summary>
internal sealed class RecordingCarLink : ICarLink
{
    public ConcurrentQueue<OutboundMessage> Delivered { get; } = new();

    public Task Deliver(OutboundMessage message)
    {
        Delivered.Enqueue(message);
        return Task.CompletedTask;
    }
}
