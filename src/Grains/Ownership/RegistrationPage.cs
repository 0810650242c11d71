namespace DigitalTwin.Grains.Ownership;

/// <param name="Next">The cursor of the next page (the last VIN of this one), or null at the end.</param>
public sealed record RegistrationPage(IReadOnlyList<VehicleRegistration> Items, string? Next);
