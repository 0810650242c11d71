using DigitalTwin.Contract.Commands;
using static DigitalTwin.Contract.Tests.Payloads;

namespace DigitalTwin.Contract.Tests.Commands;

public sealed class CommandAckParserTests
{
    [Fact]
    public void The_contract_ack_parses()
    {
        var id = Guid.NewGuid();

        var result = CommandAckParser.Parse(Utf8($$"""{"id":"{{id}}","status":"rejected","reason":"door open"}"""));

        Assert.Equal(new CommandAck(id, CommandAckStatus.Rejected, "door open"), result.Value);
    }

    [Theory]
    [InlineData("nope", RejectReason.MalformedJson)]
    [InlineData("{\"status\":\"accepted\"}", RejectReason.InvalidDocument)]
    [InlineData("{\"id\":\"not-a-guid\",\"status\":\"accepted\"}", RejectReason.InvalidDocument)]
    [InlineData("{\"id\":42,\"status\":\"accepted\"}", RejectReason.InvalidDocument)]
    [InlineData("{\"id\":\"6f9619ff-8b86-d011-b42d-00c04fc964ff\"}", RejectReason.InvalidDocument)]
    [InlineData("{\"id\":\"6f9619ff-8b86-d011-b42d-00c04fc964ff\",\"status\":\"ACCEPTED\"}", RejectReason.InvalidDocument)]
    [InlineData("{\"id\":\"6f9619ff-8b86-d011-b42d-00c04fc964ff\",\"status\":\"done\"}", RejectReason.InvalidDocument)]
    [InlineData("{\"id\":\"6f9619ff-8b86-d011-b42d-00c04fc964ff\",\"status\":\"accepted\",\"reason\":7}", RejectReason.InvalidDocument)]
    [InlineData("{\"id\":\"6f9619ff-8b86-d011-b42d-00c04fc964ff\",\"status\":\"accepted\"}[]", RejectReason.MalformedJson)]
    public void A_bad_ack_is_refused_with_a_reason(string json, string reason)
    {
        Assert.Equal(reason, CommandAckParser.Parse(Utf8(json)).Error);
    }

    [Fact]
    public void A_long_reason_is_cut_to_its_limit()
    {
        var result = CommandAckParser.Parse(Utf8("{\"id\":\"6f9619ff-8b86-d011-b42d-00c04fc964ff\",\"status\":\"failed\",\"reason\":\"" + new string('r', 1000) + "\"}"));

        Assert.Equal(CommandAckParser.MaxReasonLength, result.Value!.Reason!.Length);
    }

    [Fact]
    public void An_oversized_ack_is_refused()
    {
        Assert.Equal(RejectReason.PayloadTooLarge, CommandAckParser.Parse(Utf8(new string(' ', 5000))).Error);
    }
}
