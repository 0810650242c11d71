using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using DigitalTwin.Gateway.Diagnostics;
using DigitalTwin.Gateway.Mqtt;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Gateway.DeadLetters;

/// <summary>
/// A bounded ring of refused messages plus an exact count per reason. When full, the oldest entry
/// goes; the counts never do, so a flood of one kind of garbage cannot hide how much arrived.
/// </summary>
public sealed class DeadLetterStore
{
    public const int PreviewBytes = 256;

    private readonly DeadLetter?[] _ring;
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly GatewayMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly IDeadLetterSink _sink;
    private readonly Lock _lock = new();
    private long _nextId;

    public DeadLetterStore(IOptions<MqttOptions> options, GatewayMetrics metrics, TimeProvider time, IDeadLetterSink sink)
    {
        _ring = new DeadLetter?[options.Value.DeadLetterCapacity];
        _metrics = metrics;
        _time = time;
        _sink = sink;
    }

    public int Capacity => _ring.Length;

    public void Add(string? clientId, string? topic, string reason, string detail, ReadOnlySequence<byte> payload)
    {
        _counts.AddOrUpdate(reason, 1, static (_, n) => n + 1);
        _metrics.Rejected(reason);
        var preview = Preview(payload);
        DeadLetter letter;
        lock (_lock)
        {
            var id = ++_nextId;
            letter = new DeadLetter(id, _time.GetUtcNow(), clientId, topic, reason, detail, (int)Math.Min(payload.Length, int.MaxValue), preview);
            _ring[(id - 1) % _ring.Length] = letter;
        }

        _sink.Refused(letter, payload);
    }

    /// <summary>Newest first.</summary>
    public IReadOnlyList<DeadLetter> Snapshot(int limit = int.MaxValue)
    {
        lock (_lock)
        {
            var count = (int)Math.Min(Math.Min(_nextId, _ring.Length), limit);
            var result = new List<DeadLetter>(count);
            for (var id = _nextId; id > 0 && result.Count < count; id--)
            {
                result.Add(_ring[(id - 1) % _ring.Length]!);
            }

            return result;
        }
    }

    public IReadOnlyDictionary<string, long> CountsByReason() => new SortedDictionary<string, long>(_counts, StringComparer.Ordinal);

    public long Count(string reason) => _counts.GetValueOrDefault(reason);

    private static string Preview(ReadOnlySequence<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return string.Empty;
        }

        var slice = payload.Slice(0, Math.Min(payload.Length, PreviewBytes));
        return Encoding.UTF8.GetString(slice);
    }
}
