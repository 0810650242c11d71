using DigitalTwin.Contract.Status;
using static DigitalTwin.Contract.Tests.Payloads;

namespace DigitalTwin.Contract.Tests.Status;

public sealed class StatusParserTests
{
    [Theory]
    [InlineData("{\"online\":true}", true)]
    [InlineData("{\"online\":false}", false)]
    [InlineData("{\"reason\":\"ignition off\",\"online\":false}", false)]
    public void Online_and_offline_are_read(string json, bool expected)
    {
        var parsed = StatusParser.Parse(Utf8(json));
        Assert.Null(parsed.Error);
        Assert.Equal(expected, parsed.Value.Online);
    }

    [Theory]
    [InlineData("online", RejectReason.MalformedJson)]
    [InlineData("{\"online\":\"yes\"}", RejectReason.InvalidDocument)]
    [InlineData("{\"online\":1}", RejectReason.InvalidDocument)]
    [InlineData("{}", RejectReason.InvalidDocument)]
    [InlineData("true", RejectReason.InvalidDocument)]
    [InlineData("{\"online\":true}{\"online\":false}", RejectReason.MalformedJson)]
    public void A_bad_status_is_refused(string json, string reason)
    {
        Assert.Equal(reason, StatusParser.Parse(Utf8(json)).Error);
    }

    [Fact]
    public void An_oversized_status_is_refused()
    {
        Assert.Equal(RejectReason.PayloadTooLarge, StatusParser.Parse(Utf8("{\"online\":true,\"pad\":\"" + new string('x', 2000) + "\"}")).Error);
    }
}
