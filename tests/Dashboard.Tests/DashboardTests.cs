using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using DigitalTwin.EndToEnd.Tests;
using DigitalTwin.Simulator;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace DigitalTwin.Dashboard.Tests;

[Collection(BrowserCollection.Name)]
public sealed class DashboardTests(BrowserFixture browser, ITestOutputHelper output)
{
    private SiloFixture Silo => browser.Silo;

    [Fact]
    public async Task An_owner_signs_in_and_sees_each_of_their_simulated_cars_on_the_map()
    {
        const int cars = 6;
        var owner = Owner();
        var simulator = new SimulatorOptions
        {
            Port = Silo.MqttPort,
            Cars = cars,
            Rate = 2,
            Duration = TimeSpan.FromMinutes(5),
            VinPrefix = "WDDDASHMAP",
            SigningKey = SiloFixture.SigningKey,
            Quiet = true,
        };
        var vins = Enumerable.Range(1, cars).Select(simulator.VinOf).ToList();
        foreach (var vin in vins)
        {
            await Silo.RegisterAsync(vin, owner);
        }

        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => new FleetRunner(simulator, TextWriter.Null).RunAsync(stop.Token));
        try
        {
            await using var dashboard = await browser.SignInAsync(owner, "user", Name());
            await dashboard.RunAsync(async () =>
            {
                var map = dashboard.Page.Locator("#fleet-map");
                await Assertions.Expect(map).ToHaveAttributeAsync("data-cars", cars.ToString(), new() { Timeout = 15_000 });
                foreach (var vin in vins)
                {
                    await Assertions.Expect(dashboard.Page.Locator($"#car-list li[data-vin='{vin}']")).ToBeVisibleAsync();
                }

                // Every car is on the map: as a marker of its own, or counted in a cluster when they are close together.
                // The simulated cars drive, so the view is fitted to them first and the count is awaited, not sampled.
                await dashboard.Page.GetByRole(AriaRole.Button, new() { Name = "Show all cars" }).ClickAsync();
                await dashboard.Page.WaitForFunctionAsync(
                    """
                    n => document.querySelectorAll('#fleet-map .car-marker').length
                        + [...document.querySelectorAll('#fleet-map .cluster-marker [data-count]')].reduce((s, e) => s + Number(e.dataset.count), 0) === n
                    """,
                    cars,
                    new() { Timeout = 5_000 });
                await dashboard.SnapAsync("map");
            });
        }
        finally
        {
            await stop.CancelAsync();
            await run;
        }
    }

    [Fact]
    public async Task A_crash_published_over_MQTT_appears_in_the_alert_list_within_two_seconds_and_an_operator_acknowledges_it()
    {
        var owner = Owner();
        var vin = Vins.Next("WDDDASHCRSH");
        await Silo.RegisterAsync(vin, owner);
        await using var car = Silo.Car(vin);
        await car.ConnectAsync();
        await car.TelemetryAsync(1, """{"Vehicle.Speed":30,"Vehicle.CurrentLocation.Latitude":48.8566,"Vehicle.CurrentLocation.Longitude":2.3522,"Vehicle.Cabin.Seat.Row1.Pos1.IsOccupied":true}""");

        await using var dashboard = await browser.SignInAsync("ops-" + owner, "operator", Name());
        await dashboard.RunAsync(async () =>
        {
            await dashboard.GoAsync("#/alerts");
            // The fleet stream has taken the car in once the map's list (shared state) knows it; the alert list is live.
            await Assertions.Expect(dashboard.Page.Locator("#alerts-title")).ToBeVisibleAsync();
            await WaitForFleetMemberAsync(dashboard, vin);

            var published = Stopwatch.StartNew();
            var ack = await car.TelemetryAsync(2, """{"Vehicle.Speed":0,"Vehicle.Cabin.Seat.Row1.Pos1.Airbag.IsDeployed":true}""");
            Assert.True(ack.IsSuccess);
            var alert = dashboard.Page.Locator($"#alert-list li[data-status='open']:has(a[href='#/car/{vin}'])");
            await Assertions.Expect(alert).ToBeVisibleAsync(new() { Timeout = 2_000 });
            var shownAfter = published.Elapsed;
            output.WriteLine($"The crash was in the alert list {shownAfter.TotalMilliseconds:F0} ms after its PUBACK");
            await dashboard.SnapAsync("alerts");
            Assert.True(shownAfter < TimeSpan.FromSeconds(2), $"the crash took {shownAfter.TotalMilliseconds:F0} ms to appear");

            await alert.GetByRole(AriaRole.Button, new() { Name = $"Acknowledge the alert of {vin}" }).ClickAsync();
            await Assertions.Expect(dashboard.Page.Locator($"#alert-list li[data-status='acknowledged']:has(a[href='#/car/{vin}'])")).ToBeVisibleAsync();
            var stored = await Silo.Operator().GetFromJsonAsync<JsonElement>($"/api/v1/vehicles/{vin}/alerts");
            Assert.Equal("acknowledged", stored[0].GetProperty("status").GetString());
            Assert.Equal("ops-" + owner, stored[0].GetProperty("acknowledgedBy").GetString());
        });
    }

    [Fact]
    public async Task A_cars_history_chart_draws_the_points_of_the_history_route()
    {
        var owner = Owner();
        var vin = Vins.Next("WDDDASHHSTR");
        await Silo.RegisterAsync(vin, owner);
        await using (var car = Silo.Car(vin))
        {
            await car.ConnectAsync();
            var start = DateTimeOffset.UtcNow.AddMinutes(-20).ToUnixTimeMilliseconds();
            for (var i = 0; i < 30; i++)
            {
                await car.TelemetryAsync(i + 1, $$"""{"Vehicle.Speed":{{20 + i * 2}},"Vehicle.CurrentLocation.Latitude":52.5,"Vehicle.CurrentLocation.Longitude":13.4}""", ts: start + i * 30_000);
            }
        }

        var http = Silo.Http(owner);
        var history = await Poll.UntilAsync(
            () => http.GetFromJsonAsync<JsonElement>($"/api/v1/vehicles/{vin}/telemetry?signal=Vehicle.Speed"),
            h => h.GetProperty("points").GetArrayLength() == 30);

        await using var dashboard = await browser.SignInAsync(owner, "user", Name());
        await dashboard.RunAsync(async () =>
        {
            await dashboard.GoAsync($"#/car/{vin}");
            await Assertions.Expect(dashboard.Page.Locator("#signal-table tr[data-signal='Vehicle.Speed']")).ToBeVisibleAsync();
            var chart = dashboard.Page.Locator("#history-chart");
            await Assertions.Expect(chart).ToHaveAttributeAsync("data-points", history.GetProperty("points").GetArrayLength().ToString());
            await Assertions.Expect(chart.Locator("canvas")).ToBeVisibleAsync();
            await Assertions.Expect(dashboard.Page.Locator("#history-note")).ToContainTextAsync("30 points of Vehicle.Speed");
            await Assertions.Expect(dashboard.Page.Locator("#trips")).ToContainTextAsync("No trips yet.");
            await Assertions.Expect(dashboard.Page.Locator("#scores")).ToContainTextAsync("0 trips, 0.0 km");
            await dashboard.SnapAsync("car");

            // A command sent from the page waits for the car (offline here) in the state the API gives it.
            await dashboard.Page.GetByLabel("Command", new() { Exact = true }).SelectOptionAsync("doors.lock");
            await dashboard.Page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
            await Assertions.Expect(dashboard.Page.Locator("#command-list li[data-status='pending']")).ToContainTextAsync("doors.lock");
        });
    }

    [Fact]
    public async Task A_hazard_raised_by_a_crash_shows_on_the_map_when_the_hazards_layer_is_turned_on()
    {
        var owner = Owner();
        var vin = Vins.Next("WDDDASHHZRD");
        await Silo.RegisterAsync(vin, owner);
        // A spot of its own (no other test's hazards nearby): Madrid, a random few hundred metres off.
        var lat = 40.4168 + (Random.Shared.NextDouble() * 0.01);
        var lon = -3.7038 + (Random.Shared.NextDouble() * 0.01);
        await using (var car = Silo.Car(vin))
        {
            await car.ConnectAsync();
            Assert.True((await car.TelemetryAsync(1, string.Create(CultureInfo.InvariantCulture, $$"""{"Vehicle.Speed":40,"Vehicle.CurrentLocation.Latitude":{{lat}},"Vehicle.CurrentLocation.Longitude":{{lon}},"Vehicle.CurrentLocation.Heading":90}"""))).IsSuccess);
            Assert.True((await car.PublishAsync($"vehicles/{vin}/events", """{"ts":1764028800500,"seq":1,"type":"SosButton"}""")).IsSuccess);
        }

        var http = Silo.Http(owner);
        var box = string.Create(CultureInfo.InvariantCulture, $"{lon - 0.01},{lat - 0.01},{lon + 0.01},{lat + 0.01}");
        await Poll.UntilAsync(
            () => http.GetFromJsonAsync<JsonElement>($"/api/v1/hazards?bbox={box}"),
            h => h.GetProperty("items").GetArrayLength() == 1);

        await using var dashboard = await browser.SignInAsync(owner, "user", Name());
        await dashboard.RunAsync(async () =>
        {
            await Assertions.Expect(dashboard.Page.Locator("#fleet-map")).ToHaveAttributeAsync("data-cars", "1", new() { Timeout = 15_000 });
            await dashboard.Page.GetByRole(AriaRole.Button, new() { Name = "Show all cars" }).ClickAsync();
            await Assertions.Expect(dashboard.Page.Locator("#fleet-map .hazard-marker")).ToHaveCountAsync(0);

            await dashboard.Page.GetByLabel("Hazards", new() { Exact = true }).CheckAsync();
            await Assertions.Expect(dashboard.Page.Locator("#layer-hazards-status")).ToHaveTextAsync("1 shown");
            await Assertions.Expect(dashboard.Page.Locator("#fleet-map .hazard-marker")).ToHaveCountAsync(1);
            await dashboard.SnapAsync("hazards");

            await dashboard.Page.GetByLabel("Hazards", new() { Exact = true }).UncheckAsync();
            await Assertions.Expect(dashboard.Page.Locator("#fleet-map .hazard-marker")).ToHaveCountAsync(0);
        });
    }

    [Fact]
    public async Task A_user_who_owns_one_car_sees_that_car_and_never_anothers()
    {
        var alice = Owner();
        var bob = Owner();
        var hers = Vins.Next("WDDDASHALCE");
        var his = Vins.Next("WDDDASHBBBB");
        await Silo.RegisterAsync(hers, alice);
        await Silo.RegisterAsync(his, bob);
        foreach (var (vin, lat) in new[] { (hers, 41.9), (his, 41.91) })
        {
            await using var car = Silo.Car(vin);
            await car.ConnectAsync();
            await car.TelemetryAsync(1, $$"""{"Vehicle.Speed":0,"Vehicle.CurrentLocation.Latitude":{{lat}},"Vehicle.CurrentLocation.Longitude":12.5}""");
        }

        await using var dashboard = await browser.SignInAsync(alice, "user", Name(), new ViewportSize { Width = 390, Height = 844 });
        await dashboard.RunAsync(async () =>
        {
            await Assertions.Expect(dashboard.Page.Locator("#fleet-map")).ToHaveAttributeAsync("data-cars", "1", new() { Timeout = 15_000 });
            await Assertions.Expect(dashboard.Page.Locator("#car-list li[data-vin]")).ToHaveCountAsync(1);
            await Assertions.Expect(dashboard.Page.Locator($"#car-list li[data-vin='{hers}']")).ToBeVisibleAsync();
            await Assertions.Expect(dashboard.Page.Locator("#nav-ops")).ToBeHiddenAsync();
            await dashboard.SnapAsync("map-phone");

            // His car by its URL: the same answer as a car that does not exist.
            await dashboard.GoAsync($"#/car/{his}");
            await Assertions.Expect(dashboard.Page.Locator("#car-summary")).ToHaveTextAsync("No such car, or not yours.");
            await dashboard.SnapAsync("foreign-car");
            Assert.DoesNotContain(his, await dashboard.Page.Locator("#signal-table").InnerTextAsync());
        });
    }

    /// <summary>The fleet stream took the car in: it is in the shared fleet state the views draw from.</summary>
    private static async Task WaitForFleetMemberAsync(DashboardPage dashboard, string vin)
    {
        await dashboard.GoAsync("#/map");
        await Assertions.Expect(dashboard.Page.Locator($"#car-list li[data-vin='{vin}']")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await dashboard.GoAsync("#/alerts");
    }

    private static string Owner() => "dash-" + Guid.NewGuid().ToString("N")[..8];

    private static string Name([CallerMemberName] string name = "") => name;
}
