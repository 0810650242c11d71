using Microsoft.AspNetCore.Http;

namespace DigitalTwin.Api.Problems;

internal static class ProblemDetailsSetup
{
    /// <summary>
    /// Gives every problem (the framework's own 401/404/405/413/415 too) a stable type of this API, so
    /// clients switch on <c>type</c> rather than on prose.
    /// </summary>
    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var status = problem.Status ?? context.HttpContext.Response.StatusCode;
        if (problem.Type is null || problem.Type.StartsWith("https://tools.ietf.org/", StringComparison.Ordinal))
        {
            problem.Type = ProblemTypes.ForStatus(status);
        }

        problem.Instance ??= context.HttpContext.Request.Path;
    }
}
