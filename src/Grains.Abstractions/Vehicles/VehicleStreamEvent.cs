using DigitalTwin.Grains.Abstractions.Commands;
using DigitalTwin.Grains.Abstractions.Crash;

namespace DigitalTwin.Grains.Abstractions.Vehicles;

/// <summary>One live change of a vehicle.</summary>
/// <param name="Id">Grows with every event of this vehicle: the twin's version when the event was made.</param>
/// <param name="Type">One of <see cref="VehicleEventTypes"/>.</param>
[GenerateSerializer, Immutable, Alias("dt.VehicleStreamEvent")]
public sealed record VehicleStreamEvent(
    [property: Id(0)] long Id,
    [property: Id(1)] string Type,
    [property: Id(2)] TwinSnapshot? Twin,
    [property: Id(3)] CrashAlert? Alert = null,
    [property: Id(4)] VehicleCommand? Command = null);
