using DigitalTwin.Contract.Notifications;
using DigitalTwin.Grains.Abstractions.Vehicles;

namespace DigitalTwin.Grains.Vehicles;

/// <summary>
/// Notifications to the car: sent once per id over the car's link (held in the outbox while the car is away, like any
/// cloud-to-car message that is fine to lose with the activation) and shown on the car's live stream.
/// </summary>
public sealed partial class VehicleGrain
{
    // Enough to recognise a producer repeating itself (a cell re-telling an approaching car about its hazard) without
    // holding one entry per notification ever sent; most twins never get one, so it is made on first use.
    private const int RememberedNotifications = 32;
    private Queue<string>? _sentNotifications;

    public async ValueTask<bool> Notify(NotificationMessage notification)
    {
        if (!string.Equals(notification.Vin, _state.Vin, StringComparison.Ordinal)
            || notification.ExpiresAt <= time.GetUtcNow()
            || _sentNotifications?.Contains(notification.Id, StringComparer.Ordinal) == true)
        {
            return false;
        }

        _sentNotifications ??= new Queue<string>();
        _sentNotifications.Enqueue(notification.Id);
        if (_sentNotifications.Count > RememberedNotifications)
        {
            _sentNotifications.Dequeue();
        }

        await SendToCarAsync(notification);
        await PublishEventAsync(new NotificationSent(_state.Bump(), notification));
        return true;
    }
}
