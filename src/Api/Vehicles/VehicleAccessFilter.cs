using DigitalTwin.Api.Auth;
using DigitalTwin.Grains.Storage;
using Microsoft.AspNetCore.Http;

namespace DigitalTwin.Api.Vehicles;

/// <summary>
/// The one ownership check of every <c>/vehicles/{vin}/...</c> route. Operators see every vehicle; anyone
/// else only the vehicles bound to their <c>sub</c>. A vehicle that is not the caller's answers exactly
/// like one that does not exist (404), so VINs cannot be probed.
/// </summary>
internal sealed class VehicleAccessFilter(IVehicleRegistry registry) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var vin = (string)http.Request.RouteValues["vin"]!;
        var owner = await registry.GetOwnerAsync(vin, http.RequestAborted);
        var user = http.User;
        if (!user.IsOperator() && (owner is null || !string.Equals(owner, user.Subject(), StringComparison.Ordinal)))
        {
            return VehicleProblems.NotFound();
        }

        new VehicleAccess(vin, owner).Attach(http);
        return await next(context);
    }
}
