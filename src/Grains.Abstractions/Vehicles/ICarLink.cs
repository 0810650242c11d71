using DigitalTwin.Contract;

namespace DigitalTwin.Grains.Abstractions.Vehicles;

/// <summary>
/// The gateway holding a car's MQTT session, as the car's grain sees it: an observer reference handed over when the
/// car subscribes to its commands, so the grain reaches the car through whichever silo it is connected to. The grain
/// speaks domain records; the gateway encodes them.
/// </summary>
[Alias("dt.ICarLink")]
public interface ICarLink : IGrainObserver
{
    [Alias("Send")]
    Task Send(CarMessage message);
}
