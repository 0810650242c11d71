using Microsoft.AspNetCore.Http;

namespace DigitalTwin.Api.Vehicles;

/// <summary>What the ownership check learned, handed to the endpoint so it does not ask again.</summary>
internal sealed record VehicleAccess(string Vin, string? OwnerId)
{
    private static readonly object Key = new();

    public bool IsRegistered => OwnerId is not null;

    public static VehicleAccess Of(HttpContext context) => (VehicleAccess)context.Items[Key]!;

    public void Attach(HttpContext context) => context.Items[Key] = this;
}
