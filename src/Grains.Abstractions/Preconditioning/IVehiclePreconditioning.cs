using DigitalTwin.Grains.Abstractions.Vehicles;

namespace DigitalTwin.Grains.Abstractions.Preconditioning;

/// <summary>Cabin preconditioning for a departure.</summary>
[Alias("dt.IVehiclePreconditioning")]
public interface IVehiclePreconditioning : IVehicleRole
{
    /// <summary>Plans cabin preconditioning for a departure; replaces any earlier plan.</summary>
    [Alias("SetPreconditioning")]
    ValueTask<PreconditioningPlan> SetPreconditioning(DateTimeOffset departureAt, double targetTemperatureC);

    /// <returns>False when there was no plan.</returns>
    [Alias("CancelPreconditioning")]
    ValueTask<bool> CancelPreconditioning();
}
