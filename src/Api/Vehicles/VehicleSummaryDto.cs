namespace DigitalTwin.Api.Vehicles;

public sealed record VehicleSummaryDto(string Vin, string OwnerId, DateTimeOffset RegisteredAt, bool Online, DateTimeOffset? LastSeenAt);
