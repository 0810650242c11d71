using System.Buffers;
using DigitalTwin.Contract.Telemetry;
using static DigitalTwin.Contract.Tests.Payloads;

namespace DigitalTwin.Contract.Tests.Telemetry;

public sealed class TelemetryDocumentTests
{
    [Fact]
    public void A_written_document_reads_back_with_its_ts_seq_and_signals()
    {
        var bytes = TelemetryDocument.Write(1764028800123, 42, 87.5, static (json, speed) =>
        {
            json.WriteNumber(SignalCatalogue.Speed, speed);
            json.WriteBoolean(SignalCatalogue.IsCharging, false);
        });

        var parsed = TelemetryParser.Parse(new ReadOnlySequence<byte>(bytes), ReceivedAt);

        Assert.True(parsed.IsSuccess, parsed.Detail);
        Assert.Equal(1764028800123, parsed.Value!.Ts);
        Assert.Equal(42, parsed.Value.Seq);
        Assert.Equal(SignalValue.FromNumber(87.5), Assert.Single(parsed.Value.Signals, s => s.Name == SignalCatalogue.Speed).Value);
        Assert.Equal(SignalValue.FromBoolean(false), Assert.Single(parsed.Value.Signals, s => s.Name == SignalCatalogue.IsCharging).Value);
    }

    [Fact]
    public void A_document_stamped_around_a_signals_object_is_the_same_document()
    {
        var signals = TelemetryDocument.SignalsObject(0, static (json, _) => json.WriteNumber(SignalCatalogue.Speed, 12.5));
        var buffer = new byte[signals.Length + TelemetryDocument.FramingBytes];

        var length = TelemetryDocument.Write(buffer, long.MinValue, long.MinValue, signals);

        var written = TelemetryDocument.Write(long.MinValue, long.MinValue, 0, static (json, _) => json.WriteNumber(SignalCatalogue.Speed, 12.5));
        Assert.Equal(written, buffer[..length]);
        Assert.Equal(buffer.Length, length);
    }
}
