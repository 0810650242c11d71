using System.Net;
using System.Net.Http.Json;

namespace DigitalTwin.EndToEnd.Tests;

public static class Registrations
{
    /// <summary>A fresh VIN, bound to <paramref name="owner"/>, whose car has sent one telemetry document.</summary>
    /// <summary>The car time of the SOS press of <see cref="RegisteredCarWithTelemetryAsync"/>, so its alert id is known.</summary>
    public const long SosTs = 1764028800500;

    public static string SosAlertId(string vin) => $"{vin}-crash-{SosTs}";

    public static async Task<string> RegisteredCarWithTelemetryAsync(this SiloFixture silo, string owner, double speed = 42, bool withSos = false)
    {
        var vin = Vins.Next("WDD2030461R");
        await silo.RegisterAsync(vin, owner);
        await using var car = silo.Car(vin);
        await car.ConnectAsync();
        var ack = await car.TelemetryAsync(1, $$"""{"Vehicle.Speed":{{speed}}}""");
        Assert.True(ack.IsSuccess);
        if (withSos)
        {
            var sos = await car.PublishAsync($"vehicles/{vin}/events", $$"""{"ts":{{SosTs}},"seq":1,"type":"SosButton"}""");
            Assert.True(sos.IsSuccess);
        }

        return vin;
    }

    public static async Task<Guid> SubmitAsOperatorAsync(this SiloFixture silo, string vin, string body)
    {
        using var response = await silo.Operator().PostAsync($"/api/v1/vehicles/{vin}/commands", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetGuid();
    }

    public static async Task PlanPreconditioningAsOperatorAsync(this SiloFixture silo, string vin)
    {
        using var response = await silo.Operator().PutAsJsonAsync($"/api/v1/vehicles/{vin}/preconditioning", new { departureAt = DateTimeOffset.UtcNow.AddHours(2).ToString("O", System.Globalization.CultureInfo.InvariantCulture), targetTemperatureC = 21 });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static async Task RegisterAsync(this SiloFixture silo, string vin, string owner)
    {
        using var response = await silo.Operator().PostAsJsonAsync("/api/v1/vehicles", new { vin, ownerId = owner });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}
