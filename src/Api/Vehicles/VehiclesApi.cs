using DigitalTwin.Api.Auth;
using DigitalTwin.Grains.Abstractions.Vehicles;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace DigitalTwin.Api.Vehicles;

public static class VehiclesApi
{
    public static RouteGroupBuilder MapVehiclesApi(this RouteGroupBuilder api)
    {
        var vehicle = api.MapGroup("/vehicles/{vin}")
            .WithTags("Vehicles")
            .RequireAuthorization(Policies.Person)
            .AddEndpointFilter<VinRouteFilter>()
            .AddEndpointFilter<VehicleAccessFilter>();

        vehicle.MapGet("/", GetTwin)
            .WithName("GetTwin")
            .WithSummary("The live twin of one vehicle")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        return api;
    }

    internal static async Task<Results<Ok<TwinDto>, ProblemHttpResult>> GetTwin(string vin, IGrainFactory grains)
    {
        var twin = await grains.GetGrain<IVehicleGrain>(vin).GetTwin();
        return twin.IsEmpty ? VehicleProblems.NotFound() : TypedResults.Ok(TwinDto.From(twin));
    }
}
