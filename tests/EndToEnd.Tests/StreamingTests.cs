using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace DigitalTwin.EndToEnd.Tests;

[Collection(SiloCollection.Name)]
public sealed class StreamingTests(SiloFixture silo)
{
    private static double? Speed((string Type, string Id, System.Text.Json.JsonElement Data) e) =>
        e.Type == "twin" ? e.Data.Number("Vehicle.Speed") : null;

    [Fact]
    public async Task A_client_sees_a_telemetry_change_within_one_second_of_its_publish()
    {
        var owner = "sse-" + Guid.NewGuid().ToString("N")[..8];
        var vin = await silo.RegisteredCarWithTelemetryAsync(owner, speed: 10);
        await using var stream = await SseReader.OpenAsync(silo.For(Identity.Owner, owner, vin), vin);
        var first = await stream.NextAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("twin", first.Type);
        Assert.Equal(10, first.Data.Number("Vehicle.Speed"));

        await using var car = silo.Car(vin);
        await car.ConnectAsync();
        var clock = Stopwatch.StartNew();
        await car.TelemetryAsync(2, """{"Vehicle.Speed":99.5}""");

        var change = await stream.NextMatchingAsync(e => Speed(e) == 99.5, TimeSpan.FromSeconds(1));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1));
        Assert.True(long.Parse(change.Id, CultureInfo.InvariantCulture) > long.Parse(first.Id, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_client_resuming_with_Last_Event_ID_gets_what_it_missed_first()
    {
        var owner = "sse-" + Guid.NewGuid().ToString("N")[..8];
        var vin = await silo.RegisteredCarWithTelemetryAsync(owner, speed: 10);
        var http = silo.For(Identity.Owner, owner, vin);
        string lastSeen;
        await using (var stream = await SseReader.OpenAsync(http, vin))
        {
            lastSeen = (await stream.NextAsync(TimeSpan.FromSeconds(5))).Id;
        }

        await using (var car = silo.Car(vin))
        {
            await car.ConnectAsync();
            await car.TelemetryAsync(2, """{"Vehicle.Speed":20}""");
            await car.TelemetryAsync(3, """{"Vehicle.Speed":30,"Vehicle.TraveledDistance":5}""");
        }

        await using var resumed = await SseReader.OpenAsync(http, vin, lastSeen);
        var caughtUp = await resumed.NextAsync(TimeSpan.FromSeconds(5));

        Assert.Equal("twin", caughtUp.Type);
        Assert.True(long.Parse(caughtUp.Id, CultureInfo.InvariantCulture) > long.Parse(lastSeen, CultureInfo.InvariantCulture));
        Assert.Equal(30, caughtUp.Data.Number("Vehicle.Speed"));
        Assert.Equal(5, caughtUp.Data.Number("Vehicle.TraveledDistance"));
    }

    [Fact]
    public async Task Rapid_changes_are_coalesced_and_the_last_one_always_arrives()
    {
        var owner = "sse-" + Guid.NewGuid().ToString("N")[..8];
        var vin = await silo.RegisteredCarWithTelemetryAsync(owner, speed: 1);
        await using var stream = await SseReader.OpenAsync(silo.For(Identity.Owner, owner, vin), vin);
        await stream.NextAsync(TimeSpan.FromSeconds(5));

        await using var car = silo.Car(vin);
        await car.ConnectAsync();
        for (var seq = 2; seq <= 51; seq++)
        {
            await car.TelemetryAsync(seq, $$"""{"Vehicle.Speed":{{seq}}}""");
        }

        var received = 0;
        while (true)
        {
            var e = await stream.NextAsync(TimeSpan.FromSeconds(5));
            received++;
            if (Speed(e) == 51)
            {
                break;
            }
        }

        Assert.True(received < 50, $"{received} events for 50 changes: nothing was coalesced");
    }

    [Fact]
    public async Task A_garbage_Last_Event_ID_is_a_400()
    {
        var owner = "sse-" + Guid.NewGuid().ToString("N")[..8];
        var vin = await silo.RegisteredCarWithTelemetryAsync(owner);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/vehicles/{vin}/stream");
        request.Headers.Add("Last-Event-ID", "'; DROP TABLE--");

        using var response = await silo.For(Identity.Owner, owner, vin).SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task A_caller_cannot_hold_more_streams_than_its_limit()
    {
        var owner = "sse-" + Guid.NewGuid().ToString("N")[..8];
        var vin = await silo.RegisteredCarWithTelemetryAsync(owner);
        var http = silo.For(Identity.Owner, owner, vin);
        var open = new List<SseReader>();
        try
        {
            for (var i = 0; i < 10; i++)
            {
                open.Add(await SseReader.OpenAsync(http, vin));
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/vehicles/{vin}/stream");
            using var refused = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
        finally
        {
            foreach (var reader in open)
            {
                await reader.DisposeAsync();
            }
        }
    }
}
