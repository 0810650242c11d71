using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using DigitalTwin.Api.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace DigitalTwin.Api.Paging;

/// <summary>
/// The page size of a list endpoint, bound with <c>[AsParameters]</c> from <c>?limit=</c>. The bound is the same
/// everywhere: 1..the endpoint's maximum, and, when absent, the endpoint's default (never above that maximum).
/// </summary>
/// <param name="Limit">How many items to return; absent means the endpoint's default.</param>
public sealed record PaginationRequest(
    [property: FromQuery(Name = PaginationRequest.LimitName)]
    [property: Description("How many items to return, from 1 to the route's maximum; when absent, the route's default")]
    int? Limit)
{
    public const string LimitName = "limit";

    /// <summary>The size to use, or the validation problem to answer when <see cref="Limit"/> lies outside 1..<paramref name="max"/>.</summary>
    public bool TryGetSize(int defaultSize, int max, out int size, [NotNullWhen(false)] out ValidationProblem? problem)
    {
        size = Limit ?? Math.Min(defaultSize, max);
        if (size < 1 || size > max)
        {
            problem = ValidationProblems.For(LimitName, $"limit must be between 1 and {max}");
            return false;
        }

        problem = null;
        return true;
    }
}
