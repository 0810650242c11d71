namespace DigitalTwin.Api.Preconditioning;

/// <param name="DepartureAt">ISO 8601 with an offset or Z, in the future.</param>
/// <param name="TargetTemperatureC">16..28.</param>
public sealed record PreconditioningRequest(string? DepartureAt, double? TargetTemperatureC);
