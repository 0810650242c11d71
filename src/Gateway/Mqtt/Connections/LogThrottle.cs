namespace DigitalTwin.Gateway.Mqtt.Connections;

/// <summary>
/// Lets one log line through per interval and counts the ones held back, so that a storm of refusals or a failing
/// accept loop writes a line every few seconds ("and 12,345 more") instead of one per connection.
/// </summary>
public sealed class LogThrottle(TimeSpan interval, TimeProvider clock)
{
    private readonly Lock _gate = new();
    private long _next = long.MinValue;
    private long _held;

    /// <summary>True when this event should be logged; <paramref name="heldBack"/> is how many were not since the last.</summary>
    public bool ShouldLog(out long heldBack)
    {
        var now = clock.GetTimestamp();
        lock (_gate)
        {
            if (_next != long.MinValue && now < _next)
            {
                _held++;
                heldBack = 0;
                return false;
            }

            heldBack = _held;
            _held = 0;
            _next = now + (long)(interval.TotalSeconds * clock.TimestampFrequency);
            return true;
        }
    }
}
