using System.Collections.Concurrent;

namespace DigitalTwin.Gateway.Mqtt.Connections;

/// <summary>
/// EMQX's <c>flapping_detect</c> for the embedded broker: a client id whose sessions end <c>MaxCount</c> times within
/// <c>Window</c> is banned for <c>BanTime</c>. Windows are fixed, starting with the first end counted, as in EMQX.
/// Only sessions that passed authentication are counted (<see cref="SessionEnded"/> is called for those alone), so a
/// stranger cannot get a car banned by connecting with its VIN and a wrong token.
/// </summary>
public sealed class FlappingDetector(MqttFlappingOptions options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, Record> _clients = new(StringComparer.Ordinal);

    public bool Enabled => options.Enabled;

    /// <summary>Client ids tracked now (counting or banned).</summary>
    public int Count => _clients.Count;

    /// <summary>Whether <paramref name="clientId"/> is banned now; if so, for how much longer.</summary>
    public bool IsBanned(string clientId, out TimeSpan remaining)
    {
        remaining = TimeSpan.Zero;
        if (!Enabled || !_clients.TryGetValue(clientId, out var record))
        {
            return false;
        }

        var now = clock.GetUtcNow();
        lock (record)
        {
            if (record.BannedUntil is { } until && until > now)
            {
                remaining = until - now;
                return true;
            }
        }

        return false;
    }

    /// <summary>Counts the end of an authenticated session; true when this end gets the client banned.</summary>
    public bool SessionEnded(string clientId)
    {
        if (!Enabled)
        {
            return false;
        }

        var now = clock.GetUtcNow();
        var record = _clients.GetOrAdd(clientId, static (_, start) => new Record(start), now);
        lock (record)
        {
            if (record.BannedUntil is { } until && until > now)
            {
                return false;
            }

            if (now - record.WindowStart > options.Window || record.BannedUntil is not null)
            {
                record.WindowStart = now;
                record.Count = 0;
                record.BannedUntil = null;
            }

            record.Count++;
            if (record.Count < options.MaxCount)
            {
                return false;
            }

            record.BannedUntil = now + options.BanTime;
            record.Count = 0;
            return true;
        }
    }

    /// <summary>Forgets clients whose window and ban are both over, so the table holds only the recent ones.</summary>
    public void Sweep()
    {
        var now = clock.GetUtcNow();
        foreach (var (clientId, record) in _clients)
        {
            lock (record)
            {
                var banOver = record.BannedUntil is not { } until || until <= now;
                if (banOver && now - record.WindowStart > options.Window)
                {
                    _clients.TryRemove(new KeyValuePair<string, Record>(clientId, record));
                }
            }
        }
    }

    private sealed class Record(DateTimeOffset windowStart)
    {
        public DateTimeOffset WindowStart { get; set; } = windowStart;

        public int Count { get; set; }

        public DateTimeOffset? BannedUntil { get; set; }
    }
}
