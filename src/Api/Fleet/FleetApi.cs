using DigitalTwin.Api.Auth;
using DigitalTwin.Api.Problems;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace DigitalTwin.Api.Fleet;

public static class FleetApi
{
    public static RouteGroupBuilder MapFleetApi(this RouteGroupBuilder api)
    {
        var fleet = api.MapGroup("/fleet")
            .WithTags("Fleet")
            .WithOpenApiErrors()
            .RequireAuthorization(Policies.Person);

        fleet.MapGet("/stream", StreamFleet)
            .RequireRateLimiting(RateLimiting.StreamsPolicy)
            .WithName("StreamFleet")
            .WithSummary("Server-Sent Events for every vehicle the caller may see (operators: all): `ready`, then `vehicles` batches (position, speed, online, crash) and `alert`s as they happen")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream");

        return api;
    }

    internal static ServerSentEventsResult<object> StreamFleet(HttpContext http, FleetEventStream events)
    {
        // The same scoping as GET /vehicles: an owner's own cars, every registered car for an operator. A person
        // token without a sub owns nothing (null would mean everyone's).
        var owner = http.User.IsOperator() ? null : http.User.Subject() ?? string.Empty;
        http.Response.Headers["X-Accel-Buffering"] = "no";
        return TypedResults.ServerSentEvents(events.ReadAsync(owner, http.RequestAborted));
    }
}
