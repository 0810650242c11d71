using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace DigitalTwin.Api.Problems;

/// <summary>
/// While a silo is failing over, a grain call can still be addressed to the dead silo until membership declares it
/// dead, and Orleans rejects it; a call to an overloaded or stopping silo is rejected too, and one to a silo that
/// stopped answering times out. Asking again shortly succeeds, so the caller hears 503 with <c>Retry-After</c>, the
/// answer HTTP has for "not now", instead of a 500 that reads like a bug.
/// </summary>
public sealed partial class ClusterUnavailableExceptionHandler(
    IProblemDetailsService problems,
    ILogger<ClusterUnavailableExceptionHandler> logger) : IExceptionHandler
{
    /// <summary>Membership settles within seconds; one second is a polite first retry. Whole seconds, as the header needs.</summary>
    public const int RetryAfterSeconds = 1;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not (OrleansMessageRejectionException or TimeoutException))
        {
            return false;
        }

        LogRejected(logger, httpContext.Request.Path, exception.Message);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);

        // A caller that accepts no problem JSON (an SSE client, say) still gets the status and Retry-After.
        await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Type = ProblemTypes.Unavailable,
                Title = "The cluster cannot serve this request right now; try again shortly.",
            },
        });
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A grain call for {Path} was rejected or timed out; answered 503: {Reason}")]
    private static partial void LogRejected(ILogger logger, string path, string reason);
}
