using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace DigitalTwin.EndToEnd.Tests;

internal static class TwinJson
{
    public static async Task<JsonElement?> GetTwinAsync(this HttpClient http, string vin)
    {
        using var response = await http.GetAsync($"/api/v1/vehicles/{vin}");
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static double? Number(this JsonElement twin, string signal) =>
        twin.GetProperty("signals").TryGetProperty(signal, out var s) ? s.GetProperty("value").GetDouble() : null;
}
