using DigitalTwin.Contract.Events;
using static DigitalTwin.Contract.Tests.Payloads;

namespace DigitalTwin.Contract.Tests.Events;

public sealed class EventParserTests
{
    [Fact]
    public void An_event_keeps_its_type_and_data_as_sent()
    {
        var result = EventParser.Parse(Utf8("""{"ts":1764028800123,"seq":7,"type":"AirbagDeployed","data":{"seats":["Row1.Pos1"]}}"""), ReceivedAt);

        Assert.True(result.IsSuccess);
        Assert.Equal("AirbagDeployed", result.Value!.Type);
        Assert.Equal(7, result.Value.Seq);
        Assert.Equal("""{"seats":["Row1.Pos1"]}""", result.Value.DataJson);
    }

    [Fact]
    public void Data_is_optional()
    {
        var result = EventParser.Parse(Utf8("""{"ts":1,"seq":1,"type":"SosButton"}"""), ReceivedAt);

        Assert.Equal("{}", result.Value!.DataJson);
    }

    [Theory]
    [InlineData("nope", RejectReason.MalformedJson)]
    [InlineData("[]", RejectReason.InvalidDocument)]
    [InlineData("{\"seq\":1,\"type\":\"SosButton\"}", RejectReason.InvalidDocument)]
    [InlineData("{\"ts\":1,\"type\":\"SosButton\"}", RejectReason.InvalidDocument)]
    [InlineData("{\"ts\":1,\"seq\":1}", RejectReason.InvalidDocument)]
    [InlineData("{\"ts\":1,\"seq\":1,\"type\":42}", RejectReason.InvalidDocument)]
    [InlineData("{\"ts\":1,\"seq\":1,\"type\":\"\"}", RejectReason.InvalidDocument)]
    [InlineData("{\"ts\":1,\"seq\":1,\"type\":\"Sos Button\"}", RejectReason.InvalidDocument)]
    [InlineData("{\"ts\":1,\"seq\":1,\"type\":\"<script>\"}", RejectReason.InvalidDocument)]
    [InlineData("{\"ts\":1,\"seq\":1,\"type\":\"SosButton\",\"data\":[1]}", RejectReason.InvalidDocument)]
    [InlineData("{\"ts\":-1,\"seq\":1,\"type\":\"SosButton\"}", RejectReason.InvalidDocument)]
    public void A_bad_event_is_refused_with_a_reason(string json, string reason)
    {
        var result = EventParser.Parse(Utf8(json), ReceivedAt);

        Assert.False(result.IsSuccess);
        Assert.Equal(reason, result.Error);
    }

    [Fact]
    public void An_oversized_event_is_refused()
    {
        var result = EventParser.Parse(Utf8("{\"ts\":1,\"seq\":1,\"type\":\"X\",\"data\":{\"pad\":\"" + new string('x', 4000) + "\"}}"), ReceivedAt, maxPayloadBytes: 1024);

        Assert.Equal(RejectReason.PayloadTooLarge, result.Error);
    }
}
