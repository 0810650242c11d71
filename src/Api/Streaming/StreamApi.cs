using System.Globalization;
using DigitalTwin.Api.Problems;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DigitalTwin.Api.Streaming;

public static class StreamApi
{
    public const string LastEventIdHeader = "Last-Event-ID";

    internal static Results<ServerSentEventsResult<object>, ValidationProblem> StreamVehicle(string vin, HttpContext http, VehicleEventStream events)
    {
        long? lastEventId = null;
        var header = http.Request.Headers[LastEventIdHeader].ToString();
        if (header.Length > 0)
        {
            if (header.Length > 20 || !long.TryParse(header, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return ValidationProblems.For(LastEventIdHeader, "Last-Event-ID is the id of an event this stream sent (a non-negative integer)");
            }

            lastEventId = parsed;
        }

        // Proxies must not buffer a live stream.
        http.Response.Headers["X-Accel-Buffering"] = "no";
        return TypedResults.ServerSentEvents(events.ReadAsync(vin, lastEventId, http.RequestAborted));
    }
}
