using System.Buffers;
using DigitalTwin.Contract.Status;

namespace DigitalTwin.Contract.Tests.Status;

public sealed class StatusDocumentTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_written_status_reads_back(bool online)
    {
        var parsed = StatusParser.Parse(new ReadOnlySequence<byte>(new StatusDocument(online).ToPayload()));

        Assert.True(parsed.IsSuccess);
        Assert.Equal(online, parsed.Value.Online);
    }
}
