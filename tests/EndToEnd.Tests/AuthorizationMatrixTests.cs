using System.Net;
using System.Text;

namespace DigitalTwin.EndToEnd.Tests;

/// <summary>
/// Every route x every kind of caller, each cell asserted. Routes added later join <see cref="Routes"/>
/// and get the whole matrix by construction.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class AuthorizationMatrixTests(SiloFixture silo)
{
    private const HttpStatusCode Ok = HttpStatusCode.OK;
    private const HttpStatusCode Unauthorized = HttpStatusCode.Unauthorized;
    private const HttpStatusCode Forbidden = HttpStatusCode.Forbidden;
    private const HttpStatusCode NotFound = HttpStatusCode.NotFound;

    /// <summary>(name, method, path, body, owner, other owner, operator, vehicle); bad tokens are always 401.</summary>
    public static readonly (string Name, string Method, string Path, string? Body, HttpStatusCode Owner, HttpStatusCode Other, HttpStatusCode Operator, HttpStatusCode Vehicle)[] Routes =
    [
        ("list vehicles", "GET", "/api/v1/vehicles", null, Ok, Ok, Ok, Forbidden),
        ("register vehicle", "POST", "/api/v1/vehicles", """{"vin":"{vin}","ownerId":"{owner}"}""", Forbidden, Forbidden, Ok, Forbidden),
        ("get twin", "GET", "/api/v1/vehicles/{vin}", null, Ok, NotFound, Ok, Forbidden),
        ("signal history", "GET", "/api/v1/vehicles/{vin}/telemetry?signal=Vehicle.Speed", null, Ok, NotFound, Ok, Forbidden),
        ("live stream", "GET", "/api/v1/vehicles/{vin}/stream", null, Ok, NotFound, Ok, Forbidden),
        ("list alerts", "GET", "/api/v1/vehicles/{vin}/alerts", null, Ok, NotFound, Ok, Forbidden),
        ("acknowledge alert", "POST", "/api/v1/vehicles/{vin}/alerts/{alert}/acknowledge", null, Forbidden, Forbidden, Ok, Forbidden),
        ("resolve alert", "POST", "/api/v1/vehicles/{vin}/alerts/{alert}/resolve", null, Forbidden, Forbidden, Ok, Forbidden),
        ("submit command", "POST", "/api/v1/vehicles/{vin}/commands", """{"name":"doors.lock"}""", HttpStatusCode.Accepted, NotFound, HttpStatusCode.Accepted, Forbidden),
        ("get command", "GET", "/api/v1/vehicles/{vin}/commands/{command}", null, Ok, NotFound, Ok, Forbidden),
        ("set preconditioning", "PUT", "/api/v1/vehicles/{vin}/preconditioning", """{"departureAt":"{departure}","targetTemperatureC":21}""", Ok, NotFound, Ok, Forbidden),
        ("get preconditioning", "GET", "/api/v1/vehicles/{vin}/preconditioning", null, Ok, NotFound, Ok, Forbidden),
        ("cancel preconditioning", "DELETE", "/api/v1/vehicles/{vin}/preconditioning", null, HttpStatusCode.NoContent, NotFound, HttpStatusCode.NoContent, Forbidden),
        ("list trips", "GET", "/api/v1/vehicles/{vin}/trips", null, Ok, NotFound, Ok, Forbidden),
        ("get scores", "GET", "/api/v1/vehicles/{vin}/scores", null, Ok, NotFound, Ok, Forbidden),
        ("list charging sessions", "GET", "/api/v1/vehicles/{vin}/charging-sessions", null, Ok, NotFound, Ok, Forbidden),
        ("leaderboard", "GET", "/api/v1/leaderboard?period=week", null, Ok, Ok, Ok, Forbidden),
        ("dead letters", "GET", "/api/v1/operations/dead-letters", null, Forbidden, Forbidden, Ok, Forbidden),
    ];

    public static IEnumerable<object[]> Cells() =>
        from route in Routes
        from identity in Enum.GetValues<Identity>()
        select new object[] { route.Name, identity };

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Every_route_answers_every_caller_as_specified(string routeName, Identity identity)
    {
        var route = Routes.Single(r => r.Name == routeName);
        var owner = "owner-" + Guid.NewGuid().ToString("N")[..8];
        var vin = await silo.RegisteredCarWithTelemetryAsync(owner, withSos: route.Path.Contains("{alert}"));
        using var http = silo.For(identity, owner, vin);
        var command = route.Path.Contains("{command}") ? await silo.SubmitAsOperatorAsync(vin, """{"name":"doors.lock"}""") : Guid.Empty;
        if (route.Name.EndsWith(" preconditioning", StringComparison.Ordinal) && route.Method != "PUT")
        {
            await silo.PlanPreconditioningAsOperatorAsync(vin);
        }

        var path = route.Path.Replace("{vin}", vin).Replace("{alert}", Registrations.SosAlertId(vin)).Replace("{command}", command.ToString());
        using var request = new HttpRequestMessage(new HttpMethod(route.Method), path);
        if (route.Body is not null)
        {
            var body = route.Body.Replace("{vin}", vin).Replace("{owner}", owner)
                .Replace("{departure}", DateTimeOffset.UtcNow.AddHours(2).ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        var expected = identity switch
        {
            Identity.Owner => route.Owner,
            Identity.OtherOwner => route.Other,
            Identity.Operator => route.Operator,
            Identity.Vehicle => route.Vehicle,
            _ => Unauthorized,
        };
        Assert.Equal(expected, response.StatusCode);
        if ((int)expected >= 400)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task A_listing_shows_owners_only_their_own_vehicles()
    {
        var owner = "owner-" + Guid.NewGuid().ToString("N")[..8];
        var mine = await silo.RegisteredCarWithTelemetryAsync(owner);
        var theirs = await silo.RegisteredCarWithTelemetryAsync(owner + "-other");

        var ownerView = await silo.For(Identity.Owner, owner, mine).GetStringAsync("/api/v1/vehicles?limit=100");

        Assert.Contains(mine, ownerView);
        Assert.DoesNotContain(theirs, ownerView);
    }
}
