using DigitalTwin.Grains.Abstractions.Vehicles;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace DigitalTwin.Gateway.Mqtt;

/// <summary>
/// Delivers cloud-to-car messages: listens on this gateway's own stream key and publishes each message to the
/// car's session in the embedded broker at QoS 1.
/// </summary>
public sealed partial class GatewayOutbox(
    IClusterClient cluster,
    GatewayIdentity identity,
    EmbeddedMqttBroker broker,
    ILogger<GatewayOutbox> logger) : IHostedService
{
    private StreamSubscriptionHandle<OutboundMessage>? _subscription;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var stream = cluster.GetStreamProvider(VehicleStreams.ProviderName)
            .GetStream<OutboundMessage>(StreamId.Create(GatewayStreams.Namespace, identity.Id));
        _subscription = await stream.SubscribeAsync((message, _) => DeliverAsync(message));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_subscription is not null)
        {
            await _subscription.UnsubscribeAsync();
        }
    }

    public async Task DeliverAsync(OutboundMessage message)
    {
        try
        {
            await broker.DeliverAsync(message.Topic, message.Payload);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogDeliveryFailed(logger, ex, message.Vin, message.Topic);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivering a message to {Vin} on {Topic} failed")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, string vin, string topic);
}
