using DigitalTwin.Api.Problems;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DigitalTwin.Api.Vehicles;

internal static class VehicleProblems
{
    public static ProblemHttpResult NotFound() => TypedResults.Problem(
        title: "No such vehicle",
        detail: "No vehicle with this VIN is visible to you.",
        statusCode: StatusCodes.Status404NotFound,
        type: ProblemTypes.NotFound);
}
