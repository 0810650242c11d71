namespace DigitalTwin.Grains.Ownership;

public sealed record VehicleRegistration(string Vin, string OwnerId, DateTimeOffset RegisteredAt);
