using Confluent.Kafka;
using DigitalTwin.Contract.Kafka;

namespace DigitalTwin.Gateway.Kafka;

/// <summary>A JSON record of the contract's topics, keyed as given, with its CloudEvents headers in binary mode.</summary>
internal static class CloudEventRecord
{
    private static readonly byte[] SpecVersion = VehicleRecords.Utf8(VehicleRecords.SpecVersion);
    private static readonly byte[] JsonContentType = VehicleRecords.Utf8(VehicleRecords.JsonContentType);
    private static readonly byte[] Source = VehicleRecords.Utf8(VehicleRecords.Source);

    /// <param name="subject"><c>ce_subject</c>, which is also the record's key: the VIN where there is one.</param>
    public static Message<string, byte[]> Create(string subject, string id, string type, DateTimeOffset time, byte[] value) => new()
    {
        Key = subject,
        Value = value,
        Headers = new Headers
        {
            { VehicleRecords.SpecVersionHeader, SpecVersion },
            { VehicleRecords.IdHeader, VehicleRecords.Utf8(id) },
            { VehicleRecords.SourceHeader, Source },
            { VehicleRecords.TypeHeader, VehicleRecords.Utf8(type) },
            { VehicleRecords.TimeHeader, VehicleRecords.Utf8(VehicleRecords.Time(time)) },
            { VehicleRecords.SubjectHeader, VehicleRecords.Utf8(subject) },
            { VehicleRecords.ContentTypeHeader, JsonContentType },
        },
    };
}
