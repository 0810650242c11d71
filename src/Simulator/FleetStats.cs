using System.Collections.Concurrent;
using System.Globalization;

namespace DigitalTwin.Simulator;

/// <summary>Counters shared by all cars; updated from many threads at once.</summary>
public sealed class FleetStats
{
    private readonly ConcurrentDictionary<string, long> _failuresByReason = new(StringComparer.Ordinal);
    private long _sent;
    private long _failed;
    private long _lostConnections;
    private long _reconnects;
    private long _resent;
    private long _longestOfflineTicks;
    private long _notifications;
    private long _commandsCompleted;

    public long Sent => Interlocked.Read(ref _sent);
    public long Failed => Interlocked.Read(ref _failed);
    public long LostConnections => Interlocked.Read(ref _lostConnections);

    public void CountSent() => Interlocked.Increment(ref _sent);

    public long Notifications => Interlocked.Read(ref _notifications);
    public long CommandsCompleted => Interlocked.Read(ref _commandsCompleted);

    public long CountNotification() => Interlocked.Increment(ref _notifications);

    public void CountCommandCompleted() => Interlocked.Increment(ref _commandsCompleted);

    public void CountFailed(string reason)
    {
        Interlocked.Increment(ref _failed);
        _failuresByReason.AddOrUpdate(reason, 1, static (_, n) => n + 1);
    }

    public long Reconnects => Interlocked.Read(ref _reconnects);
    public long Resent => Interlocked.Read(ref _resent);
    public TimeSpan LongestOffline => TimeSpan.FromTicks(Interlocked.Read(ref _longestOfflineTicks));

    public long CountLostConnection() => Interlocked.Increment(ref _lostConnections);

    public void CountResent() => Interlocked.Increment(ref _resent);

    public void CountReconnect(TimeSpan offline)
    {
        Interlocked.Increment(ref _reconnects);
        var ticks = offline.Ticks;
        var seen = Interlocked.Read(ref _longestOfflineTicks);
        while (ticks > seen)
        {
            var previous = Interlocked.CompareExchange(ref _longestOfflineTicks, ticks, seen);
            if (previous == seen)
            {
                break;
            }

            seen = previous;
        }
    }

    public string Summary(int cars, int connected, TimeSpan elapsed)
    {
        var seconds = elapsed.TotalSeconds;
        var rate = seconds > 0 ? Sent / seconds : 0;
        var line = string.Create(
            CultureInfo.InvariantCulture,
            $"summary: cars={cars} connected={connected} sent={Sent} failed={Failed} elapsed={seconds:F1}s rate={rate:F1} msg/s");
        if (!_failuresByReason.IsEmpty)
        {
            line += " failedBy=" + string.Join(',', _failuresByReason.OrderByDescending(p => p.Value).Select(p => $"{p.Key}:{p.Value}"));
        }

        if (Notifications > 0 || CommandsCompleted > 0)
        {
            line += string.Create(CultureInfo.InvariantCulture, $" notifications={Notifications} commandsCompleted={CommandsCompleted}");
        }

        if (LostConnections > 0)
        {
            line += string.Create(CultureInfo.InvariantCulture, $" lostConnections={LostConnections}");
        }

        if (Reconnects > 0 || Resent > 0)
        {
            line += string.Create(CultureInfo.InvariantCulture, $" reconnects={Reconnects} resent={Resent} longestOffline={LongestOffline.TotalMilliseconds:F0}ms");
        }

        return line;
    }
}
