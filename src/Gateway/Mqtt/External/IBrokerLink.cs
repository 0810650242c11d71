using DigitalTwin.Grains.Abstractions.Vehicles;

namespace DigitalTwin.Gateway.Mqtt.External;

/// <summary>
/// A car's link behind an external broker. Unlike the embedded broker, where only the silo holding the car's socket can
/// reach it, every silo's gateway publishes to the same broker; so the link is a stateless worker, activated on the
/// silo that calls it, and no silo's death cuts a twin off from its car.
/// </summary>
[Alias("dt.IBrokerLink")]
public interface IBrokerLink : ICarLink, IGrainWithIntegerKey
{
    /// <summary>The one session a twin knows of behind the broker: opened by the car's online status, closed by its offline one.</summary>
    public const string SessionId = "external-broker";
}
