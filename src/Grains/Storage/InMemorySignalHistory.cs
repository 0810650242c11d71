using System.Collections.Concurrent;
using DigitalTwin.Contract.Telemetry;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Grains.Storage;

/// <summary>
/// The embedded default: the last <see cref="PersistenceOptions.InMemoryHistoryPerSignal"/> points of each
/// signal, so memory stays bounded per twin. PostgreSQL keeps history for the retention period instead.
/// </summary>
public sealed class InMemorySignalHistory(IOptions<PersistenceOptions> options) : ISignalHistoryReader, ISignalHistoryWriter
{
    private readonly int _capacity = options.Value.InMemoryHistoryPerSignal;
    private readonly ConcurrentDictionary<(string Vin, string Signal), Series> _series = new();

    public int Append(string vin, TelemetryMessage message)
    {
        if (_capacity == 0)
        {
            return 0;
        }

        foreach (var sample in message.Signals)
        {
            _series.GetOrAdd((vin, sample.Name), static (_, capacity) => new Series(capacity), _capacity).Add(new HistoryPoint(message.Ts, sample.Value));
        }

        return message.Signals.Length;
    }

    /// <summary>Appends are in memory when they return: nothing to wait for.</summary>
    public ValueTask WhenWrittenAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Each series overwrites its oldest point, by design: there is always room.</summary>
    public bool HasRoomFor(int samples) => true;

    public ValueTask WhenRoomForAsync(int samples, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask<IReadOnlyList<HistoryPoint>> QueryAsync(string vin, string signal, long fromMs, long toMs, int limit, CancellationToken cancellationToken)
    {
        IReadOnlyList<HistoryPoint> points = _series.TryGetValue((vin, signal), out var series)
            ? series.Range(fromMs, toMs, limit)
            : [];
        return ValueTask.FromResult(points);
    }

    /// <summary>
    /// A ring that starts small and doubles up to its capacity: most signals of most twins never fill it, and an
    /// up-front array per signal made history cost ~86 KB per twin.
    /// </summary>
    private sealed class Series(int capacity)
    {
        private const int InitialSize = 4;
        private readonly Lock _lock = new();
        private HistoryPoint[] _ring = new HistoryPoint[Math.Min(InitialSize, capacity)];
        private long _count;

        public void Add(HistoryPoint point)
        {
            lock (_lock)
            {
                if (_count == _ring.Length && _ring.Length < capacity)
                {
                    // Still below capacity, so nothing has wrapped yet: the points are in order from index 0.
                    Array.Resize(ref _ring, Math.Min(_ring.Length * 2, capacity));
                }

                _ring[_count++ % _ring.Length] = point;
            }
        }

        public List<HistoryPoint> Range(long fromMs, long toMs, int limit)
        {
            lock (_lock)
            {
                var start = Math.Max(0, _count - _ring.Length);
                var result = new List<HistoryPoint>();
                for (var i = start; i < _count && result.Count < limit; i++)
                {
                    var p = _ring[i % _ring.Length];
                    if (p.Ts >= fromMs && p.Ts <= toMs)
                    {
                        result.Add(p);
                    }
                }

                result.Sort(static (a, b) => a.Ts.CompareTo(b.Ts));
                return result;
            }
        }
    }
}
