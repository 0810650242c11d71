using DigitalTwin.Grains.Telemetry;
using static DigitalTwin.Grains.Tests.Telemetry.Payloads;

namespace DigitalTwin.Grains.Tests.Telemetry;

public sealed class StatusParserTests
{
    [Theory]
    [InlineData("{\"online\":true}", true)]
    [InlineData("{\"online\":false}", false)]
    [InlineData("{\"reason\":\"ignition off\",\"online\":false}", false)]
    public void Online_and_offline_are_read(string json, bool expected)
    {
        Assert.Null(StatusParser.TryParse(Utf8(json), out var online));
        Assert.Equal(expected, online);
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
        Assert.Equal(reason, StatusParser.TryParse(Utf8(json), out _)?.Reason);
    }

    [Fact]
    public void An_oversized_status_is_refused()
    {
        Assert.Equal(RejectReason.PayloadTooLarge, StatusParser.TryParse(Utf8("{\"online\":true,\"pad\":\"" + new string('x', 2000) + "\"}"), out _)?.Reason);
    }
}
