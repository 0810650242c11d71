using System.ComponentModel;
using DigitalTwin.Api.Auth;
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
        [Description("How many entries to return, newest first (1..1000, default 100)")] int? limit)
    {
        var take = limit ?? 100;
        if (take is < 1 or > MaxLimit)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["limit"] = [$"limit must be between 1 and {MaxLimit}"] },
                type: ProblemTypes.Validation);
        }

        return TypedResults.Ok(new DeadLettersResponse(store.Capacity, store.CountsByReason(), store.Snapshot(take)));
    }
}
