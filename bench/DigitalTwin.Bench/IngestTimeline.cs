using System.Diagnostics;
using Confluent.Kafka;

namespace DigitalTwin.Bench;

/// <summary>
/// What the Kafka -> twins scenario watches while records flow: every 100 ms the group's committed offsets of the
/// ingest topic and the records the silos produced to <c>vehicle-telemetry</c> (one per applied document, read as high
/// watermarks, uncached), and every 500 ms the silos' <c>/metrics</c> (applied count and consumer lag; the exporter
/// caches a scrape for 300 ms). Times are seconds since the timeline started.
/// </summary>
public sealed class IngestTimeline : IAsyncDisposable
{
    private static readonly TimeSpan SampleEvery = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan ScrapeEvery = TimeSpan.FromMilliseconds(500);

    private readonly KafkaProbe _probe;
    private readonly IReadOnlyList<SiloNode> _silos;
    private readonly string _inTopic;
    private readonly string _outTopic;
    private readonly int _partitions;
    private readonly long _origin = Stopwatch.GetTimestamp();
    private readonly List<(double T, long Written, long Mirrored, long Committed)> _kafka = [];
    private readonly List<(double T, long Applied, long Lag)> _metrics = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampler;
    private readonly Task _scraper;
    private int _disposed;

    public IngestTimeline(KafkaProbe probe, IReadOnlyList<SiloNode> silos, string inTopic, string outTopic, int partitions)
    {
        _probe = probe;
        _silos = silos;
        _inTopic = inTopic;
        _outTopic = outTopic;
        _partitions = partitions;
        _sampler = Task.Factory.StartNew(Sample, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        _scraper = Task.Run(ScrapeAsync);
    }

    public static string SampleInterval => $"{SampleEvery.TotalMilliseconds:0} ms";

    public static string ScrapeInterval => $"{ScrapeEvery.TotalMilliseconds:0} ms";

    public double Now => Stopwatch.GetElapsedTime(_origin).TotalSeconds;

    /// <summary>The newest Kafka sample, or zeros before the first.</summary>
    public (double T, long Written, long Mirrored, long Committed) Latest
    {
        get
        {
            lock (_kafka)
            {
                return _kafka.Count > 0 ? _kafka[^1] : default;
            }
        }
    }

    public List<(double T, long V)> Mirrored() => Copy(_kafka, s => (s.T, s.Mirrored));

    public List<(double T, long V)> Committed() => Copy(_kafka, s => (s.T, s.Committed));

    public List<(double T, long V)> AppliedFromMetrics() => Copy(_metrics, s => (s.T, s.Applied));

    /// <summary>
    /// Highest consumer lag of the group between two times: records written to the ingest topic and not committed, from
    /// the same Kafka samples (the silos' own gauge is updated once a second and served from a cached scrape).
    /// </summary>
    public long MaxLag(double from, double to)
    {
        lock (_kafka)
        {
            return _kafka.Where(s => s.T >= from && s.T <= to).Select(s => s.Written - s.Committed).DefaultIfEmpty(0).Max();
        }
    }

    /// <summary>Waits until the group committed <paramref name="records"/> records, or nothing moved for <paramref name="stall"/>.</summary>
    public async Task<bool> UntilCommittedAsync(long records, TimeSpan stall, CancellationToken cancel)
    {
        var lastChange = Stopwatch.GetTimestamp();
        var lastSeen = -1L;
        while (true)
        {
            var latest = Latest;
            if (latest.Committed >= records)
            {
                return true;
            }

            var seen = latest.Committed + latest.Mirrored;
            if (seen != lastSeen)
            {
                lastSeen = seen;
                lastChange = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetElapsedTime(lastChange) > stall)
            {
                return false;
            }

            await Task.Delay(50, cancel);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync();
        await _sampler;
        await _scraper;
        _stop.Dispose();
    }

    private void Sample()
    {
        while (!_stop.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                // Committed first: what is committed was applied before, so the committed curve never leads.
                var committed = _probe.Committed(_inTopic, _partitions);
                var mirrored = _probe.Written(_outTopic, _partitions);
                var written = _probe.Written(_inTopic, _partitions);
                var t = Now;
                lock (_kafka)
                {
                    _kafka.Add((t, written, mirrored, committed));
                }
            }
            catch (KafkaException)
            {
                // A request timed out on the busy machine: the next sample will do.
            }

            var rest = SampleEvery - Stopwatch.GetElapsedTime(started);
            if (rest > TimeSpan.Zero)
            {
                _stop.Token.WaitHandle.WaitOne(rest);
            }
        }
    }

    private async Task ScrapeAsync()
    {
        using var timer = new PeriodicTimer(ScrapeEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var scrapes = await Task.WhenAll(_silos.Select(s => s.ScrapeAsync(_stop.Token)));
                var applied = (long)scrapes.Sum(s => s.Sum("digitaltwin_kafka_consumed_total", ("topic", _inTopic), ("outcome", "applied")));
                var lag = (long)scrapes.Sum(s => s.Sum("digitaltwin_kafka_consumer_lag"));
                var t = Now;
                lock (_metrics)
                {
                    _metrics.Add((t, applied, lag));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private static List<(double T, long V)> Copy<TSample>(List<TSample> samples, Func<TSample, (double T, long V)> select)
    {
        lock (samples)
        {
            return [.. samples.Select(select)];
        }
    }

    /// <summary>When a cumulative series first reaches <paramref name="value"/>, interpolated between samples; null if it never does.</summary>
    public static double? TimeAt(List<(double T, long V)> series, double value)
    {
        for (var i = 0; i < series.Count; i++)
        {
            if (series[i].V >= value)
            {
                if (i == 0 || series[i].V == series[i - 1].V)
                {
                    return series[i].T;
                }

                var (t0, v0) = series[i - 1];
                var (t1, v1) = series[i];
                return t0 + ((t1 - t0) * (value - v0) / (v1 - v0));
            }
        }

        return null;
    }

    /// <summary>The series' value at time <paramref name="t"/>: its last sample at or before it.</summary>
    public static long ValueAt(List<(double T, long V)> series, double t) =>
        series.Where(s => s.T <= t).Select(s => s.V).DefaultIfEmpty(0).Last();

    /// <summary>
    /// For records <paramref name="from"/> (exclusive) to <paramref name="to"/> (inclusive) of the cumulative curves, the
    /// time from one curve reaching a record to the other reaching it, in milliseconds, at 1,000 evenly spaced records, sorted.
    /// </summary>
    public static List<double> Distances(List<(double T, long V)> first, List<(double T, long V)> second, long from, long to)
    {
        var distances = new List<double>();
        for (var k = 1; k <= 1000; k++)
        {
            var v = from + ((to - from) * k / 1000.0);
            if (TimeAt(first, v) is { } a && TimeAt(second, v) is { } b)
            {
                distances.Add((b - a) * 1000);
            }
        }

        distances.Sort();
        return distances;
    }
}
