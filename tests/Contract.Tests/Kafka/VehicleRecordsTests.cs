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
}
