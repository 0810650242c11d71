using DigitalTwin.Contract.Notifications;

namespace DigitalTwin.Grains.Abstractions.Notifications;

/// <summary>
/// Telling a car something on <c>vehicles/{vin}/notifications</c> (QoS 1) and on its live stream: the road cells that
/// see a hazard ahead of it, the twin's own driving feedback.
/// </summary>
[Alias("dt.IVehicleNotifications")]
public interface IVehicleNotifications : Vehicles.IVehicleRole
{
    /// <returns>
    /// False when nothing was sent: the id was sent to this car before, the notification has expired, or it is for
    /// another car.
    /// </returns>
    [Alias("Notify")]
    ValueTask<bool> Notify(NotificationMessage notification);
}
