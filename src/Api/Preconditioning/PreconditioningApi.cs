using DigitalTwin.Api.Problems;
using DigitalTwin.Grains.Abstractions.Preconditioning;
using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Grains.Commands;
using DigitalTwin.Grains.Preconditioning;
using DigitalTwin.Views;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Api.Preconditioning;

public static class PreconditioningApi
{
    /// <summary>Maps onto the vehicle group, so the VIN gate and the single ownership check apply.</summary>
    public static RouteGroupBuilder MapPreconditioningApi(this RouteGroupBuilder vehicle)
    {
        var group = vehicle.MapGroup("/preconditioning").WithTags("Preconditioning");

        group.MapPut("/", Put)
            .WithName("SetPreconditioning")
            .WithSummary("Plan cabin preconditioning for a departure; the plan says when it starts and why");

        group.MapGet("/", Get)
            .WithName("GetPreconditioning")
            .WithSummary("The current preconditioning plan");

        group.MapDelete("/", Delete)
            .WithName("CancelPreconditioning")
            .WithSummary("Cancel the plan");

        return vehicle;
    }

    internal static async Task<Results<Ok<PreconditioningDto>, ValidationProblem>> Put(
        string vin,
        PreconditioningRequest request,
        IGrainFactory grains,
        TimeProvider time,
        IOptions<CommandPolicyOptions> commandOptions)
    {
        var errors = new List<FieldError>();
        var horizon = commandOptions.Value.MaxDepartureAhead;
        if (!DepartureTime.TryParse(request.DepartureAt, out var departure))
        {
            errors.Add(new("departureAt", "an ISO 8601 time with an offset or Z, e.g. 2026-11-26T07:30:00+01:00"));
        }
        else if (DepartureTime.Check(departure, time.GetUtcNow(), horizon) switch
                 {
                     DepartureCheck.NotInFuture => "the departure must be in the future",
                     DepartureCheck.TooFarAhead => $"the departure must be within {horizon.TotalDays:0.#} days",
                     _ => null,
                 } is { } departureError)
        {
            errors.Add(new("departureAt", departureError));
        }

        if (request.TargetTemperatureC is not { } target || !TargetTemperature.IsValid(target))
        {
            errors.Add(new("targetTemperatureC", $"a temperature between {TargetTemperature.MinC} and {TargetTemperature.MaxC} C"));
        }

        if (errors.Count > 0)
        {
            return ValidationProblems.For(errors, title: "The preconditioning request is not valid");
        }

        var plan = await grains.GetVehicle<IVehiclePreconditioning>(vin).SetPreconditioning(departure, request.TargetTemperatureC!.Value);
        return TypedResults.Ok(PreconditioningDto.From(plan)!);
    }

    internal static async Task<Results<Ok<PreconditioningDto>, ProblemHttpResult>> Get(string vin, IGrainFactory grains)
    {
        var twin = await grains.GetVehicle<IVehicleTwin>(vin).GetTwin();
        return twin.Preconditioning is null ? NoPlan() : TypedResults.Ok(PreconditioningDto.From(twin.Preconditioning)!);
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> Delete(string vin, IGrainFactory grains) =>
        await grains.GetVehicle<IVehiclePreconditioning>(vin).CancelPreconditioning() ? TypedResults.NoContent() : NoPlan();

    private static ProblemHttpResult NoPlan() =>
        TypedResults.Problem(title: "No preconditioning is planned", statusCode: StatusCodes.Status404NotFound, type: ProblemTypes.NotFound);
}
