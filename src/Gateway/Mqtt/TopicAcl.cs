using DigitalTwin.Contract.Topics;

namespace DigitalTwin.Gateway.Mqtt;

/// <summary>
/// What a connected car may touch: publish on its own car-to-cloud topics, subscribe to its own commands and notifications.
/// </summary>
public static class TopicAcl
{
    public static bool MayPublish(string clientVin, VehicleTopic topic) =>
        string.Equals(clientVin, topic.Vin, StringComparison.Ordinal) && !VehicleTopic.IsCloudToCar(topic.Kind);

    public static bool MaySubscribe(string clientVin, string? topicFilter) =>
        topicFilter is not null
        && (string.Equals(topicFilter, VehicleTopic.Of(clientVin, VehicleTopicKind.Commands), StringComparison.Ordinal)
            || string.Equals(topicFilter, VehicleTopic.Of(clientVin, VehicleTopicKind.Notifications), StringComparison.Ordinal));
}
