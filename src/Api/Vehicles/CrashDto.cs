namespace DigitalTwin.Api.Vehicles;

public sealed record CrashDto(string Status);
