using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DigitalTwin.Views;

/// <summary>
/// The one JSON setting of the views, wherever they are written: the API's responses and its SSE events take it
/// through <see cref="Configure"/>, the Kafka records through <see cref="Options"/>, so a record of
/// <c>vehicle-twins</c> has the very bytes <c>GET /api/v1/vehicles/{vin}</c> answers for the same twin.
/// </summary>
/// <remarks>
/// It is what ASP.NET Core's minimal APIs use by default, written down so that it cannot drift: the web defaults
/// (camelCase members; dictionary keys such as signal names as they are) and the relaxed escaper, which leaves
/// <c>+</c> in a time offset and non-ASCII text as they are (what is written here is never embedded in HTML). The
/// views spell enums as strings themselves (<c>WireName</c>), so no enum converter is needed.
/// </remarks>
public static class ViewJson
{
    /// <summary>The settings for anything that writes views without ASP.NET Core, such as the Kafka records.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>Gives options someone else owns (the API's <c>JsonOptions</c>) the views' settings.</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DictionaryKeyPolicy = null;
        options.PropertyNameCaseInsensitive = true;
        options.NumberHandling = JsonNumberHandling.AllowReadingFromString;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        options.WriteIndented = false;
    }

    /// <summary>A view as UTF-8 JSON, as the API writes it.</summary>
    public static byte[] Serialize<TView>(TView view) => JsonSerializer.SerializeToUtf8Bytes(view, Options);

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
