using MQTTnet;
using MQTTnet.Protocol;

namespace DigitalTwin.Gateway.Mqtt;

/// <summary>
/// The way out to cars, at QoS 1: the embedded broker's sessions, or the client of the operator's broker
/// (<c>Mqtt:Mode</c>). <see cref="GatewayOutbox"/> and <see cref="External.BrokerLinkGrain"/> send through it.
/// </summary>
public interface ICarPublisher
{
    Task PublishAsync(string topic, byte[] payload);

    /// <summary>How every cloud-to-car message goes out, whichever broker carries it: QoS 1, JSON.</summary>
    static MqttApplicationMessage Message(string topic, byte[] payload) => new MqttApplicationMessageBuilder()
        .WithTopic(topic)
        .WithPayload(payload)
        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
        .WithContentType("application/json")
        .Build();
}
