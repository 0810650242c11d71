using DigitalTwin.Grains.Abstractions.Commands;
using DigitalTwin.Grains.Abstractions.Crash;
using DigitalTwin.Grains.Abstractions.Notifications;
using DigitalTwin.Grains.Abstractions.Preconditioning;

namespace DigitalTwin.Grains.Abstractions.Vehicles;

/// <summary>The digital twin of one car, keyed by its VIN: every role of it together.</summary>
[Alias("dt.IVehicleGrain")]
public interface IVehicleGrain :
    IVehicleIngest,
    IVehicleConnection,
    IVehicleTwin,
    IVehicleStorage,
    IVehicleAlerts,
    IVehicleCommands,
    IVehiclePreconditioning,
    IVehicleNotifications;
