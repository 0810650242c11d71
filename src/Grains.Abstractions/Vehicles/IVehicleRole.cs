namespace DigitalTwin.Grains.Abstractions.Vehicles;

/// <summary>
/// One role of a car's twin. Callers ask for the role they play (<see cref="VehicleGrainFactoryExtensions.GetVehicle{TRole}"/>)
/// and see only its methods; <see cref="IVehicleGrain"/> is every role together.
/// </summary>
public interface IVehicleRole : IGrainWithStringKey;
