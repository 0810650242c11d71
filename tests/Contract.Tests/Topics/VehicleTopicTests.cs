using DigitalTwin.Contract.Topics;

namespace DigitalTwin.Contract.Tests.Topics;

public sealed class VehicleTopicTests
{
    private const string Vin = "WDD2030461A123456";

    [Theory]
    [InlineData("vehicles/WDD2030461A123456/telemetry", VehicleTopicKind.Telemetry)]
    [InlineData("vehicles/WDD2030461A123456/events", VehicleTopicKind.Events)]
    [InlineData("vehicles/WDD2030461A123456/status", VehicleTopicKind.Status)]
    [InlineData("vehicles/WDD2030461A123456/commands", VehicleTopicKind.Commands)]
    [InlineData("vehicles/WDD2030461A123456/commands/ack", VehicleTopicKind.CommandAck)]
    [InlineData("vehicles/WDD2030461A123456/notifications", VehicleTopicKind.Notifications)]
    public void Topics_of_the_contract_table_parse(string topic, VehicleTopicKind kind)
    {
        var parsed = VehicleTopic.Parse(topic);
        Assert.Null(parsed.Error);
        Assert.Equal(new VehicleTopic(Vin, kind), parsed.Value);
        Assert.Equal(topic, VehicleTopic.Of(Vin, kind));
    }

    [Theory]
    [InlineData("vehicles/WDD2030461A12345O/telemetry", RejectReason.InvalidVin)]
    [InlineData("vehicles/wdd2030461a123456/telemetry", RejectReason.InvalidVin)]
    [InlineData("vehicles//telemetry", RejectReason.InvalidVin)]
    [InlineData("vehicles/WDD2030461A123456/telemetry/extra", RejectReason.UnknownTopic)]
    [InlineData("vehicles/WDD2030461A123456/Telemetry", RejectReason.UnknownTopic)]
    [InlineData("vehicles/WDD2030461A123456", RejectReason.UnknownTopic)]
    [InlineData("vehicles/WDD2030461A123456/", RejectReason.UnknownTopic)]
    [InlineData("cars/WDD2030461A123456/telemetry", RejectReason.UnknownTopic)]
    [InlineData("$SYS/broker/load", RejectReason.UnknownTopic)]
    [InlineData("", RejectReason.UnknownTopic)]
    [InlineData(null, RejectReason.UnknownTopic)]
    public void Other_topics_are_refused_with_a_reason(string? topic, string reason)
    {
        Assert.Equal(reason, VehicleTopic.Parse(topic).Error);
    }

    [Theory]
    [InlineData(VehicleTopicKind.Telemetry, "vehicles/+/telemetry")]
    [InlineData(VehicleTopicKind.CommandAck, "vehicles/+/commands/ack")]
    public void A_filter_for_every_vehicle_has_a_wildcard_in_place_of_the_vin(VehicleTopicKind kind, string filter)
    {
        Assert.Equal(filter, VehicleTopic.ForEveryVehicle(kind));
    }
}
