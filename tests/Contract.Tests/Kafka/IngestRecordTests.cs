using System.Buffers;
using System.Text;
using DigitalTwin.Contract;
using DigitalTwin.Contract.Kafka;
using DigitalTwin.Contract.Topics;

namespace DigitalTwin.Contract.Tests.Kafka;

public sealed class IngestRecordTests
{
    private const string Vin = "WDD2030461A123456";

    private static ParseResult<VehicleTopic> Read(string? key, string value) =>
        IngestRecord.Read(key, new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(value)));

    [Fact]
    public void A_telemetry_document_keyed_by_its_vin_is_telemetry_of_that_car()
    {
        var read = Read(Vin, """{"ts":1764028800123,"seq":42,"signals":{"Vehicle.Speed":87.5}}""");

        Assert.True(read.IsSuccess);
        Assert.Equal(new VehicleTopic(Vin, VehicleTopicKind.Telemetry), read.Value);
    }

    [Fact]
    public void An_event_document_is_an_event_whatever_topic_it_came_from()
    {
        Assert.Equal(VehicleTopicKind.Events, Read(Vin, """{"ts":1,"seq":1,"type":"AirbagDeployed","data":{"signals":{}}}""").Value.Kind);
    }

    [Fact]
    public void Our_own_vehicle_telemetry_record_with_its_vin_member_is_accepted_back()
    {
        var value = VehicleRecords.WithVin(Vin, new ReadOnlySequence<byte>("""{"ts":1,"seq":1,"signals":{}}"""u8.ToArray()));

        Assert.True(IngestRecord.Read(Vin, new ReadOnlySequence<byte>(value)).IsSuccess);
    }

    [Theory]
    [InlineData("""{"vin":"WDD2030461A000009","ts":1,"seq":1,"signals":{}}""")]
    [InlineData("""{"vin":42,"ts":1,"seq":1,"signals":{}}""")]
    public void A_document_naming_another_car_than_the_key_is_refused(string value)
    {
        Assert.Equal(RejectReason.KeyMismatch, Read(Vin, value).Error);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("client-1")]
    [InlineData("wdd2030461a123456")]
    public void A_key_that_is_not_a_vin_is_refused(string? key)
    {
        Assert.Equal(RejectReason.InvalidVin, Read(key, """{"ts":1,"seq":1,"signals":{}}""").Error);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"ts":1,"seq":1,"signals":{""")]
    [InlineData("")]
    public void A_value_that_is_not_json_is_malformed(string value)
    {
        Assert.Equal(RejectReason.MalformedJson, Read(Vin, value).Error);
    }

    [Fact]
    public void A_deeply_nested_value_is_refused_without_recursing_into_it()
    {
        var value = "{\"x\":" + new string('[', 5_000) + new string(']', 5_000) + ",\"signals\":{}}";

        Assert.Equal(RejectReason.MalformedJson, Read(Vin, value).Error);
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("\"signals\"")]
    [InlineData("""{"ts":1,"seq":1}""")]
    [InlineData("""{"ts":1,"seq":1,"signals":{},"type":"SosButton"}""")]
    public void A_value_that_is_neither_one_telemetry_nor_one_event_document_is_invalid(string value)
    {
        Assert.Equal(RejectReason.InvalidDocument, Read(Vin, value).Error);
    }
}
