using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Telemetry;

namespace DigitalTwin.Persistence.Snapshots;

/// <summary>
/// The signal map as other systems see it in <c>vehicle_snapshots.signals</c>:
/// <c>{"Vehicle.Speed": {"value": 87.5, "ts": 1764028800123}}</c>, with JSON numbers, booleans and strings as the car
/// sent them, so plain SQL such as <c>(signals -> 'Vehicle.Speed' ->> 'value')::float8</c> works.
/// </summary>
internal static class SignalMapJson
{
    private const string ValueProperty = "value";
    private const string TsProperty = "ts";

    // The text goes to PostgreSQL, not to a web page: escaping non-ASCII would only make it larger.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Serialize(IReadOnlyDictionary<string, SignalReading> signals)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + (signals.Count * 64));
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            foreach (var (name, reading) in signals)
            {
                writer.WriteStartObject(name);
                writer.WritePropertyName(ValueProperty);
                WriteValue(writer, reading.Value);
                writer.WriteNumber(TsProperty, reading.Ts);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static Dictionary<string, SignalReading> Deserialize(string json)
    {
        using var document = JsonDocument.Parse(json);
        var signals = new Dictionary<string, SignalReading>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.Object
                || !property.Value.TryGetProperty(ValueProperty, out var value)
                || !property.Value.TryGetProperty(TsProperty, out var ts)
                || !ts.TryGetInt64(out var sampledAt))
            {
                // Written by someone else with plain SQL; a twin is better off without it than failing to activate.
                continue;
            }

            SignalValue? parsed = value.ValueKind switch
            {
                JsonValueKind.Number => SignalValue.FromNumber(value.GetDouble()),
                JsonValueKind.True => SignalValue.FromBoolean(true),
                JsonValueKind.False => SignalValue.FromBoolean(false),
                JsonValueKind.String => SignalValue.FromText(value.GetString()!),
                _ => null,
            };
            if (parsed is { } reading)
            {
                signals[property.Name] = new SignalReading(reading, sampledAt);
            }
        }

        return signals;
    }

    private static void WriteValue(Utf8JsonWriter writer, SignalValue value)
    {
        switch (value.Kind)
        {
            case SignalKind.Boolean:
                writer.WriteBooleanValue(value.AsBoolean);
                break;
            case SignalKind.Number when double.IsFinite(value.Number):
                writer.WriteNumberValue(value.Number);
                break;
            case SignalKind.Number:
                // JSON has no NaN or infinity; null keeps the snapshot writable and is skipped when loaded.
                writer.WriteNullValue();
                break;
            default:
                writer.WriteStringValue(value.Text ?? string.Empty);
                break;
        }
    }
}
