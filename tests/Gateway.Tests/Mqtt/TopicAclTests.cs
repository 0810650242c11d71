using DigitalTwin.Contract.Topics;
using DigitalTwin.Gateway.Mqtt;

namespace DigitalTwin.Gateway.Tests.Mqtt;

public sealed class TopicAclTests
{
    private const string Car = "WDD2030461A123456";
    private const string OtherCar = "WDD2030461A999999";

    [Theory]
    [InlineData(VehicleTopicKind.Telemetry)]
    [InlineData(VehicleTopicKind.Events)]
    [InlineData(VehicleTopicKind.Status)]
    [InlineData(VehicleTopicKind.CommandAck)]
    public void A_car_may_publish_on_its_own_car_to_cloud_topics(VehicleTopicKind kind)
    {
        Assert.True(TopicAcl.MayPublish(Car, new VehicleTopic(Car, kind)));
        Assert.False(TopicAcl.MayPublish(Car, new VehicleTopic(OtherCar, kind)));
    }

    [Theory]
    [InlineData(VehicleTopicKind.Commands)]
    [InlineData(VehicleTopicKind.Notifications)]
    public void A_car_may_not_publish_on_cloud_to_car_topics_even_its_own(VehicleTopicKind kind)
    {
        Assert.False(TopicAcl.MayPublish(Car, new VehicleTopic(Car, kind)));
    }

    [Theory]
    [InlineData("vehicles/WDD2030461A123456/commands", true)]
    [InlineData("vehicles/WDD2030461A999999/commands", false)]
    [InlineData("vehicles/WDD2030461A123456/notifications", true)]
    [InlineData("vehicles/WDD2030461A999999/notifications", false)]
    [InlineData("vehicles/+/notifications", false)]
    [InlineData("vehicles/+/commands", false)]
    [InlineData("vehicles/#", false)]
    [InlineData("#", false)]
    [InlineData("vehicles/WDD2030461A123456/telemetry", false)]
    [InlineData("vehicles/WDD2030461A123456/#", false)]
    [InlineData("$share/g/vehicles/WDD2030461A123456/commands", false)]
    [InlineData(null, false)]
    public void A_car_may_subscribe_only_to_its_own_commands_and_notifications(string? filter, bool allowed)
    {
        Assert.Equal(allowed, TopicAcl.MaySubscribe(Car, filter));
    }
}
