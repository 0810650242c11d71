using System.Buffers;
using System.Text;
using System.Text.Json;
using DigitalTwin.Contract.Kafka;
using static DigitalTwin.Contract.Tests.Payloads;

namespace DigitalTwin.Contract.Tests.Kafka;

public sealed class VehicleRecordsTests
{
    private const string Vin = "WDD2030461A123456";

    [Fact]
    public void The_record_value_is_the_document_as_received_with_the_vin_first()
    {
        const string document = """{"ts":1764028800123,"seq":42,"signals":{"Vehicle.Speed":87.50}}""";

        var value = Encoding.UTF8.GetString(VehicleRecords.WithVin(Vin, Utf8(document)));

        Assert.Equal("""{"vin":"WDD2030461A123456","ts":1764028800123,"seq":42,"signals":{"Vehicle.Speed":87.50}}""", value);
        using var parsed = JsonDocument.Parse(value);
        Assert.Equal(Vin, parsed.RootElement.GetProperty("vin").GetString());
    }

    [Fact]
    public void Leading_white_space_and_a_document_split_over_many_segments_are_kept_as_sent()
    {
        const string document = "  \n{ \"ts\" : 1, \"seq\": 2, \"type\": \"SosButton\" }";

        var value = Encoding.UTF8.GetString(VehicleRecords.WithVin(Vin, Fragmented(document)));

        Assert.Equal("{\"vin\":\"WDD2030461A123456\", \"ts\" : 1, \"seq\": 2, \"type\": \"SosButton\" }", value);
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("")]
    [InlineData("   ")]
    public void Anything_but_an_object_is_refused(string document)
    {
        Assert.Throws<ArgumentException>(() => VehicleRecords.WithVin(Vin, Utf8(document)));
    }

    [Fact]
    public void The_record_id_is_the_same_for_the_same_document_so_a_repeat_can_be_dropped()
    {
        Assert.Equal(VehicleRecords.Id(Vin, VehicleRecords.TelemetryType, 7), VehicleRecords.Id(Vin, VehicleRecords.TelemetryType, 7));
        Assert.NotEqual(VehicleRecords.Id(Vin, VehicleRecords.TelemetryType, 7), VehicleRecords.Id(Vin, VehicleRecords.EventType, 7));
        Assert.NotEqual(VehicleRecords.Id(Vin, VehicleRecords.TelemetryType, 7), VehicleRecords.Id(Vin, VehicleRecords.TelemetryType, 8));
    }

    [Fact]
    public void A_dead_letter_carries_the_refused_bytes_and_says_when_they_were_cut()
    {
        var huge = new byte[VehicleRecords.MaxDeadLetterPayloadBytes + 10];
        huge.AsSpan().Fill((byte)'x');

        using var small = JsonDocument.Parse(VehicleRecords.DeadLetter(ReceivedAt, "mqtt", Vin, "cars/x", "unknown_topic", "no such topic", Utf8("{\"a\":1}")));
        using var cut = JsonDocument.Parse(VehicleRecords.DeadLetter(ReceivedAt, "mqtt", null, null, "payload_too_large", "too large", new ReadOnlySequence<byte>(huge)));

        Assert.Equal("{\"a\":1}"u8.ToArray(), small.RootElement.GetProperty("payload").GetBytesFromBase64());
        Assert.False(small.RootElement.GetProperty("payloadTruncated").GetBoolean());
        Assert.Equal("unknown_topic", small.RootElement.GetProperty("reason").GetString());
        Assert.Equal(huge.Length, cut.RootElement.GetProperty("payloadBytes").GetInt64());
        Assert.Equal(VehicleRecords.MaxDeadLetterPayloadBytes, cut.RootElement.GetProperty("payload").GetBytesFromBase64().Length);
        Assert.True(cut.RootElement.GetProperty("payloadTruncated").GetBoolean());
        Assert.Equal(JsonValueKind.Null, cut.RootElement.GetProperty("clientId").ValueKind);
    }
}
