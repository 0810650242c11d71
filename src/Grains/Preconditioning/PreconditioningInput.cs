namespace DigitalTwin.Grains.Preconditioning;

/// <summary>What <see cref="PreconditioningPlanner"/> plans from.</summary>
/// <param name="DepartureAt">Any offset; only the instant matters.</param>
/// <param name="TargetTemperatureC">16 to 28 degrees Celsius.</param>
/// <param name="CabinTemperatureC">Null when unknown or too old to trust.</param>
/// <param name="ExteriorTemperatureC">Null when unknown or too old to trust.</param>
/// <param name="IsPluggedIn">True when the car can draw on the grid instead of its battery.</param>
/// <param name="StateOfChargePercent">Null when unknown.</param>
public sealed record PreconditioningInput(
    DateTimeOffset DepartureAt,
    double TargetTemperatureC,
    DateTimeOffset Now,
    double? CabinTemperatureC,
    double? ExteriorTemperatureC,
    bool IsPluggedIn,
    double? StateOfChargePercent);
