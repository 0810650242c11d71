using System.Globalization;
using System.Net;
using System.Text.Json;
using DigitalTwin.Testing;

namespace DigitalTwin.Cluster.Tests.Support;

/// <summary>What one <c>GET /api/v1/vehicles/{vin}</c> through one silo answered; status 0 when there was no answer.</summary>
public sealed record TwinView(HttpStatusCode Status, long Version, bool Online, double? Speed, long? SpeedTs, string? Problem)
{
    public bool IsOk => Status == HttpStatusCode.OK;

    /// <summary>The twin reflects the document the car sent with <paramref name="seq"/>.</summary>
    public bool Shows(long seq) => IsOk && Speed == Car.SpeedAt(seq) && SpeedTs == Car.TsAt(seq);

    /// <summary>
    /// A failover may answer "not now" (500, 503, 429, time-outs); a 200 or 404 with the wrong twin is an answer that
    /// will not get better by asking again.
    /// </summary>
    public bool IsTransient => Status is 0 or HttpStatusCode.InternalServerError or HttpStatusCode.ServiceUnavailable
        or HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout;

    public override string ToString() => IsOk
        ? string.Create(CultureInfo.InvariantCulture, $"200 version {Version}, online {Online}, speed {Speed} at ts {SpeedTs}")
        : string.Create(CultureInfo.InvariantCulture, $"{(int)Status} {Problem}");

    public static async Task<TwinView> ReadAsync(HttpClient http, SiloProcess silo, string vin)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(silo.BaseAddress, $"/api/v1/vehicles/{vin}"));
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return new TwinView(response.StatusCode, 0, false, null, null, Shorten(body));
            }

            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            double? speed = null;
            long? ts = null;
            if (root.GetProperty("signals").TryGetProperty("Vehicle.Speed", out var signal))
            {
                speed = signal.GetProperty("value").GetDouble();
                ts = signal.GetProperty("ts").GetInt64();
            }

            return new TwinView(HttpStatusCode.OK, root.GetProperty("version").GetInt64(), root.GetProperty("online").GetBoolean(), speed, ts, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return new TwinView(0, 0, false, null, null, ex.GetType().Name + ": " + ex.Message);
        }
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300];
}
