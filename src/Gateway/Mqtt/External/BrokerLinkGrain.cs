using DigitalTwin.Contract;
using Orleans.Concurrency;

namespace DigitalTwin.Gateway.Mqtt.External;

[StatelessWorker]
internal sealed class BrokerLinkGrain(ICarPublisher publisher) : Grain, IBrokerLink
{
    public Task Send(CarMessage message) => publisher.PublishAsync(message.Topic, message.ToPayload());
}
