using DigitalTwin.Contract;
using DigitalTwin.Grains.Abstractions.Vehicles;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DigitalTwin.Gateway.Mqtt;

/// <summary>
/// This gateway's <see cref="ICarLink"/>: one observer reference, handed to each car's grain when the car
/// subscribes to its commands, through which grains on any silo publish to the car's session at QoS 1.
/// </summary>
public sealed partial class GatewayOutbox(
    IGrainFactory grains,
    ICarPublisher publisher,
    ILogger<GatewayOutbox> logger) : ICarLink, IHostedService
{
    private ICarLink? _reference;

    /// <summary>The reference grains call; valid while this process runs.</summary>
    public ICarLink Reference => _reference ?? throw new InvalidOperationException("The gateway outbox has not started.");

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _reference = grains.CreateObjectReference<ICarLink>(this);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (_reference is not null)
        {
            grains.DeleteObjectReference<ICarLink>(_reference);
        }

        return Task.CompletedTask;
    }

    public async Task Send(CarMessage message)
    {
        try
        {
            await publisher.PublishAsync(message.Topic, message.ToPayload());
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogDeliveryFailed(logger, ex, message.Vin, message.Topic);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivering a message to {Vin} on {Topic} failed")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, string vin, string topic);
}
