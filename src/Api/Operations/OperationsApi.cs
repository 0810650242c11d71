using DigitalTwin.Api.Auth;
using DigitalTwin.Api.Paging;
using DigitalTwin.Api.Problems;
using DigitalTwin.Gateway.DeadLetters;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace DigitalTwin.Api.Operations;

public static class OperationsApi
{
    public const int MaxLimit = 1000;

    public static RouteGroupBuilder MapOperationsApi(this RouteGroupBuilder api)
    {
        var operations = api.MapGroup("/operations")
            .WithTags("Operations")
            .WithOpenApiErrors()
            .RequireAuthorization(Policies.Operator);

        operations.MapGet("/dead-letters", GetDeadLetters)
            .WithName("GetDeadLetters")
            .WithSummary("Refused MQTT messages: counts per reason and the newest entries")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        return api;
    }

    internal static Results<Ok<DeadLettersResponse>, ValidationProblem> GetDeadLetters(
        DeadLetterStore store,
        [AsParameters] PaginationRequest page)
    {
        if (!page.TryGetSize(100, MaxLimit, out var take, out var problem))
        {
            return problem;
        }

        return TypedResults.Ok(new DeadLettersResponse(store.Capacity, store.CountsByReason(), store.Snapshot(take)));
    }
}
