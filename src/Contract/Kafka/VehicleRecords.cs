using System.Buffers;
using System.Text;
using System.Text.Json;

namespace DigitalTwin.Contract.Kafka;

/// <summary>
/// The contract's Kafka records (section 5): key = VIN, a JSON value, and CloudEvents headers in the Kafka
/// protocol binding's binary mode (<c>ce_specversion</c>, <c>ce_id</c>, <c>ce_source</c>, <c>ce_type</c>,
/// <c>ce_time</c>, <c>ce_subject</c> = VIN, <c>content-type</c>).
/// </summary>
public static class VehicleRecords
{
    public const string SpecVersionHeader = "ce_specversion";
    public const string IdHeader = "ce_id";
    public const string SourceHeader = "ce_source";
    public const string TypeHeader = "ce_type";
    public const string TimeHeader = "ce_time";
    public const string SubjectHeader = "ce_subject";
    public const string ContentTypeHeader = "content-type";

    public const string SpecVersion = "1.0";
    public const string JsonContentType = "application/json";

    public const string TelemetryType = "digitaltwin.telemetry.v1";
    public const string EventType = "digitaltwin.event.v1";
    public const string DeadLetterType = "digitaltwin.deadletter.v1";

    /// <summary><c>vehicle-twins</c>: the twin after a change, in the API's twin shape.</summary>
    public const string TwinType = "digitaltwin.twin.v1";

    /// <summary><c>vehicle-alerts</c>: an alert raised or changed, in the API's alert shape.</summary>
    public const string AlertType = "digitaltwin.alert.v1";

    /// <summary><c>vehicle-commands</c>: a command in a new state, in the API's command shape.</summary>
    public const string CommandType = "digitaltwin.command.v1";

    /// <summary><c>vehicle-trips</c>: a finished trip, in the API's trip shape.</summary>
    public const string TripType = "digitaltwin.trip.v1";

    /// <summary><c>vehicle-trips</c>: a finished charging session, in the API's charging-session shape.</summary>
    public const string ChargingSessionType = "digitaltwin.charging.v1";

    /// <summary>The most of a refused payload a dead-letter record carries (base64): Kafka's default record limit is 1 MB.</summary>
    public const int MaxDeadLetterPayloadBytes = 256 * 1024;

    private static readonly byte[] VinHead = "{\"vin\":"u8.ToArray();

    /// <summary>
    /// A car's document as it was received, with <c>"vin"</c> added as its first member. The bytes of the
    /// document are kept as sent (member order, number formatting), so a consumer reads what the car wrote.
    /// </summary>
    /// <param name="document">An accepted document: a JSON object with at least one member.</param>
    public static byte[] WithVin(string vin, ReadOnlySequence<byte> document)
    {
        ArgumentNullException.ThrowIfNull(vin);
        var reader = new SequenceReader<byte>(document);
        reader.AdvancePastAny((byte)' ', (byte)'\t', (byte)'\r', (byte)'\n');
        if (!reader.TryPeek(out var first) || first != (byte)'{')
        {
            throw new ArgumentException("an accepted document is a JSON object", nameof(document));
        }

        reader.Advance(1);
        var rest = document.Slice(reader.Position);
        var quotedVin = JsonEncodedText.Encode(vin);
        var value = new byte[VinHead.Length + quotedVin.EncodedUtf8Bytes.Length + 3 + rest.Length];
        VinHead.CopyTo(value, 0);
        var at = VinHead.Length;
        value[at++] = (byte)'"';
        quotedVin.EncodedUtf8Bytes.CopyTo(value.AsSpan(at));
        at += quotedVin.EncodedUtf8Bytes.Length;
        value[at++] = (byte)'"';
        value[at++] = (byte)',';
        rest.CopyTo(value.AsSpan(at));
        return value;
    }

    /// <summary>
    /// The value of a <c>vehicle-dead-letter</c> record: where the input came from, why it was refused, and its bytes
    /// (base64; at most <see cref="MaxDeadLetterPayloadBytes"/>, with <c>payloadTruncated</c> saying so).
    /// </summary>
    public static byte[] DeadLetter(DateTimeOffset at, string source, string? clientId, string? topic, string reason, string detail, ReadOnlySequence<byte> payload)
    {
        var kept = payload.Slice(0, Math.Min(payload.Length, MaxDeadLetterPayloadBytes));
        var buffer = new ArrayBufferWriter<byte>(256 + ((int)kept.Length * 4 / 3));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("at", at);
            json.WriteString("source", source);
            json.WriteString("clientId", clientId);
            json.WriteString("topic", topic);
            json.WriteString("reason", reason);
            json.WriteString("detail", detail);
            json.WriteNumber("payloadBytes", payload.Length);
            json.WriteBase64String("payload", kept.ToArray());
            json.WriteBoolean("payloadTruncated", kept.Length < payload.Length);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A record id that is the same every time the same document is produced, so consumers can drop repeats.</summary>
    public static string Id(string vin, string type, long seq) => string.Create(
        System.Globalization.CultureInfo.InvariantCulture, $"{vin}/{type}/{seq}");

    /// <summary>
    /// <c>ce_id</c> of a <c>vehicle-twins</c> record: a twin's version is bumped by every change, so one version is one
    /// state, and a record produced twice for it (a retry, a replayed flush) carries the same id.
    /// </summary>
    public static string TwinId(string vin, long version) => string.Create(
        System.Globalization.CultureInfo.InvariantCulture, $"{vin}/twin/{version}");

    /// <summary>
    /// <c>ce_id</c> of a <c>vehicle-alerts</c> record. A later trigger of the incident raises its revision and a person
    /// moves its status (open, acknowledged, resolved) only forward, so revision and status together name one change.
    /// </summary>
    public static string AlertId(string alertId, int revision, string status) => string.Create(
        System.Globalization.CultureInfo.InvariantCulture, $"{alertId}/{revision}/{status}");

    /// <summary>
    /// <c>ce_id</c> of a <c>vehicle-commands</c> record: a command passes through each status at most once, so a
    /// command handed to the car again after a reconnect (still <c>sent</c>) repeats its id and is dropped as a repeat.
    /// </summary>
    public static string CommandId(Guid commandId, string status) => string.Create(
        System.Globalization.CultureInfo.InvariantCulture, $"{commandId:D}/{status}");

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary><c>ce_source</c> of this process's records: the contract's producer on this host.</summary>
    public static string Source { get; } = $"/digitaltwin/{Environment.MachineName}";

    /// <summary><c>ce_time</c>: RFC 3339 in UTC, milliseconds.</summary>
    public static string Time(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
