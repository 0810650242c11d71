using System.Numerics;

namespace DigitalTwin.Bench;

/// <summary>
/// A log-linear histogram of microseconds (the HdrHistogram idea, two significant digits): values below 128
/// are exact, above that each power of two is split into 64 buckets, so any value is off by under 1.6%.
/// Recording is one interlocked increment and safe from any thread; memory is fixed whatever the count.
/// </summary>
public sealed class LatencyHistogram
{
    private const int LinearLimit = 128;
    private const int SubBuckets = 64;
    private const int SubBucketBits = 6;

    // Powers of two from 2^7 up to 2^63, 64 buckets each, after the 128 exact ones.
    private readonly long[] _counts = new long[LinearLimit + (64 - 7) * SubBuckets];
    private long _total;
    private long _max;

    public long Count => Interlocked.Read(ref _total);

    public void Record(long microseconds)
    {
        if (microseconds < 0)
        {
            microseconds = 0;
        }

        Interlocked.Increment(ref _counts[IndexOf(microseconds)]);
        Interlocked.Increment(ref _total);
        long seen;
        while (microseconds > (seen = Interlocked.Read(ref _max)) && Interlocked.CompareExchange(ref _max, microseconds, seen) != seen)
        {
        }
    }

    public double MaxMilliseconds => Interlocked.Read(ref _max) / 1000.0;

    /// <summary>The value at or below which the given fraction of recordings lie, in milliseconds (bucket's upper edge).</summary>
    public double PercentileMilliseconds(double fraction)
    {
        var total = Count;
        if (total == 0)
        {
            return double.NaN;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(fraction * total));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Interlocked.Read(ref _counts[i]);
            if (seen >= rank)
            {
                return Math.Min(UpperEdge(i), Interlocked.Read(ref _max)) / 1000.0;
            }
        }

        return MaxMilliseconds;
    }

    private static int IndexOf(long value)
    {
        if (value < LinearLimit)
        {
            return (int)value;
        }

        // shift keeps the top seven bits, so (value >> shift) lies in [64, 127].
        var shift = 63 - BitOperations.LeadingZeroCount((ulong)value) - SubBucketBits;
        return LinearLimit + (shift - 1) * SubBuckets + (int)((value >> shift) - SubBuckets);
    }

    private static long UpperEdge(int index)
    {
        if (index < LinearLimit)
        {
            return index;
        }

        var shift = (index - LinearLimit) / SubBuckets + 1;
        var top = (index - LinearLimit) % SubBuckets + SubBuckets;
        return ((long)(top + 1) << shift) - 1;
    }
}
