using System.Collections.Concurrent;
using System.Net;

namespace DigitalTwin.Gateway.Mqtt.Connections;

/// <summary>
/// A token bucket per source address (<c>Mqtt:ConnectRate:*</c>). Our own rather than System.Threading.RateLimiting's
/// partitioned token bucket, which reads the system clock: this one runs on a <see cref="TimeProvider"/>, so tests
/// drive it, and forgets addresses whose bucket has filled up again (<see cref="Sweep"/>).
/// </summary>
public sealed class ConnectRateLimiter(int perSecond, int burst, TimeProvider clock)
{
    private readonly ConcurrentDictionary<IPAddress, Bucket> _buckets = new();

    public bool Enabled => perSecond > 0;

    /// <summary>Addresses tracked now.</summary>
    public int Count => _buckets.Count;

    /// <summary>Takes one connection from <paramref name="address"/>'s bucket; false when it is empty.</summary>
    public bool TryAcquire(IPAddress address)
    {
        if (!Enabled)
        {
            return true;
        }

        var now = clock.GetTimestamp();
        var bucket = _buckets.GetOrAdd(address, static (_, state) => new Bucket(state.burst, state.now), (burst, now));
        lock (bucket)
        {
            bucket.Refill(now, perSecond, burst, clock);
            if (bucket.Tokens < 1)
            {
                return false;
            }

            bucket.Tokens -= 1;
            return true;
        }
    }

    /// <summary>Drops the buckets that are full again: an address that comes back starts with a full bucket anyway.</summary>
    public void Sweep()
    {
        var now = clock.GetTimestamp();
        foreach (var (address, bucket) in _buckets)
        {
            lock (bucket)
            {
                bucket.Refill(now, perSecond, burst, clock);
                if (bucket.Tokens >= burst)
                {
                    _buckets.TryRemove(new KeyValuePair<IPAddress, Bucket>(address, bucket));
                }
            }
        }
    }

    private sealed class Bucket(double tokens, long stamp)
    {
        public double Tokens { get; set; } = tokens;

        private long _stamp = stamp;

        public void Refill(long now, int perSecond, int burst, TimeProvider clock)
        {
            var earned = clock.GetElapsedTime(_stamp, now).TotalSeconds * perSecond;
            if (earned > 0)
            {
                Tokens = Math.Min(burst, Tokens + earned);
                _stamp = now;
            }
        }
    }
}
