using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DigitalTwin.Persistence.Documents;

/// <summary>
/// How whole records are kept in the <c>document</c> columns of <c>alerts</c> and <c>commands</c>: camelCase
/// properties and enum names (their <c>WireName</c>, as the API shows them), so that plain SQL such as <c>document -&gt;&gt; 'status'</c>
/// reads naturally, and everything a record holds comes back exactly: offsets and ticks of instants, <see cref="TimeSpan"/>
/// ticks, combined and undefined flags (written as a number when a name cannot express them).
/// </summary>
internal static class DocumentJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        // The text goes to PostgreSQL, not to a web page: escaping non-ASCII would only make it larger.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        // A NaN or an infinity is stored as a JSON string rather than refused.
        NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: true) },
        // A document missing a required part fails to read instead of becoming a record with nulls where none may be.
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"The document is null, not a {typeof(T).Name}");
}
