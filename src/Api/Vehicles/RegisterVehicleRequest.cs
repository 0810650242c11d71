namespace DigitalTwin.Api.Vehicles;

/// <param name="Vin">The vehicle's VIN (17 characters, ISO 3779).</param>
/// <param name="OwnerId">The <c>sub</c> of the person who owns it.</param>
public sealed record RegisterVehicleRequest(string? Vin, string? OwnerId);
