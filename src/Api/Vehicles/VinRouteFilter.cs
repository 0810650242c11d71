using DigitalTwin.Api.Problems;
using DigitalTwin.Contract;
using Microsoft.AspNetCore.Http;

namespace DigitalTwin.Api.Vehicles;

/// <summary>
/// The single gate of every <c>/vehicles/{vin}</c> route: a malformed VIN is a 400 with the reason,
/// never coerced, before anything else looks at it.
/// </summary>
internal sealed class VinRouteFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var vin = context.HttpContext.Request.RouteValues["vin"] as string;
        if (Vin.Validate(vin) is { } error)
        {
            return ValidationProblems.For("vin", error, title: "The VIN is not valid");
        }

        return await next(context);
    }
}
