using System.Text.Json;
using DigitalTwin.Api.Problems;
using DigitalTwin.Grains.Abstractions.Commands;
using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Views;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace DigitalTwin.Api.Commands;

public static class CommandsApi
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const int MaxIdempotencyKeyLength = 128;

    /// <summary>Maps onto the vehicle group, so the VIN gate and the single ownership check apply.</summary>
    public static RouteGroupBuilder MapCommandsApi(this RouteGroupBuilder vehicle)
    {
        var group = vehicle.MapGroup("/commands").WithTags("Commands");

        group.MapPost("/", Submit)
            .WithName("SubmitCommand")
            .WithSummary("Send a command to the car: 202 with its id; queued while the car is offline, expired after its TTL")
            .ProducesProblem(StatusCodes.Status409Conflict);

        group.MapGet("/{id:guid}", Get)
            .WithName("GetCommand")
            .WithSummary("A command and its status: pending, sent, accepted, rejected, completed, failed or expired");

        return vehicle;
    }

    internal static async Task<Results<Accepted<CommandDto>, ValidationProblem, ProblemHttpResult>> Submit(
        string vin,
        SubmitCommandRequest request,
        [FromHeader(Name = IdempotencyKeyHeader)] string? idempotencyKey,
        IGrainFactory grains)
    {
        if (idempotencyKey is not null && (idempotencyKey.Length is 0 or > MaxIdempotencyKeyLength || idempotencyKey.Any(c => c is < '!' or > '~')))
        {
            return ValidationProblems.For(IdempotencyKeyHeader, $"1..{MaxIdempotencyKeyLength} printable ASCII characters");
        }

        var paramsJson = request.Params is { ValueKind: not JsonValueKind.Undefined } p ? p.GetRawText() : null;
        var decision = await grains.GetVehicle<IVehicleCommands>(vin).SubmitCommand(new CommandRequest(request.Name, paramsJson, request.TtlSeconds), idempotencyKey);
        return decision.Verdict switch
        {
            CommandVerdict.Allowed => TypedResults.Accepted($"/api/v1/vehicles/{vin}/commands/{decision.Command!.Id}", CommandDto.From(decision.Command)),
            CommandVerdict.Conflict => TypedResults.Problem(
                title: "The car's state contradicts the command",
                detail: decision.Conflict,
                statusCode: StatusCodes.Status409Conflict,
                type: ProblemTypes.Conflict),
            _ => ValidationProblems.For(decision.Errors.Select(e => new FieldError(e.Field, e.Reason)), title: "The command is not valid"),
        };
    }

    internal static async Task<Results<Ok<CommandDto>, ProblemHttpResult>> Get(string vin, Guid id, IGrainFactory grains)
    {
        var command = await grains.GetVehicle<IVehicleCommands>(vin).GetCommand(id);
        return command is null
            ? TypedResults.Problem(title: "No such command", statusCode: StatusCodes.Status404NotFound, type: ProblemTypes.NotFound)
            : TypedResults.Ok(CommandDto.From(command));
    }
}
