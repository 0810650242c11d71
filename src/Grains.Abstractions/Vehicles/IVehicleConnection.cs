namespace DigitalTwin.Grains.Abstractions.Vehicles;

/// <summary>The car's sessions with a gateway: whether it is online, and the link its commands go out on.</summary>
[Alias("dt.IVehicleConnection")]
public interface IVehicleConnection : IVehicleRole
{
    /// <summary>The car opened an MQTT session; it is online.</summary>
    /// <param name="sessionId">Unique per connection, so a late close of an older session cannot take the car offline.</param>
    [Alias("ConnectionOpened")]
    ValueTask ConnectionOpened(string sessionId, DateTimeOffset at);

    /// <summary>A session closed; the car goes offline only if it was its current session.</summary>
    [Alias("ConnectionClosed")]
    ValueTask ConnectionClosed(string sessionId, DateTimeOffset at);

    /// <summary>The car subscribed to its commands through <paramref name="link"/>: commands can reach it now.</summary>
    [Alias("CommandChannelOpened")]
    ValueTask CommandChannelOpened(string sessionId, ICarLink link);
}
