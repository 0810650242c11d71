using DigitalTwin.Api.Auth;
using DigitalTwin.Api.Problems;
using Microsoft.AspNetCore.Http;

namespace DigitalTwin.Api.Vehicles;

/// <summary>
/// The one ownership check of every <c>/vehicles/{vin}</c> route. Operators see every vehicle; anyone else
/// only vehicles bound to their <c>sub</c>, and a vehicle that is not theirs answers exactly like one that
/// does not exist, so VINs cannot be probed. No owner bindings exist until vehicles are registered, so
/// today only operators get past it.
/// </summary>
internal sealed class VehicleAccessFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (!context.HttpContext.User.IsOperator())
        {
            return VehicleProblems.NotFound();
        }

        return await next(context);
    }
}
