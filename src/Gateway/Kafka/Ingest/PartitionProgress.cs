using Confluent.Kafka;
using DigitalTwin.Contract.Topics;

namespace DigitalTwin.Gateway.Kafka.Ingest;

/// <summary>
/// One assigned partition of an ingest topic: which dispatched records are applied, and which cars they changed since
/// the last barrier, so that a barrier names the offset it may commit (below it, every record is applied) and the twins
/// that must be durable first. Records of different cars complete out of order; the offset never passes one that has not.
/// </summary>
public sealed class PartitionProgress(TopicPartition partition)
{
    // A monitor rather than a Lock: WaitDrained waits on it.
    private readonly object _gate = new();
    private readonly SortedSet<long> _inFlight = [];
    private Dictionary<string, AppliedSeqs> _changed = new(StringComparer.Ordinal);
    private long _nextOffset = -1;
    private long _committed = -1;
    private const long NoneUncommitted = long.MaxValue;

    private long _oldestUncommitted = NoneUncommitted;
    private bool _current = true;
    private bool _revoking;

    // The lowest record skipped (not applied) while the partition was being given up: no commit may pass it.
    private long _skippedFloor = long.MaxValue;

    public TopicPartition Partition { get; } = partition;

    /// <summary>Serialises barriers of this partition: a later one must not commit before an earlier one's twins are durable.</summary>
    public SemaphoreSlim BarrierLock { get; } = new(1, 1);

    /// <summary>False once revoked, lost or rewound: what is still queued for it is skipped, its barriers commit nothing.</summary>
    public bool IsCurrent
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    /// <summary>The offset this partition resumes from after a restart: the last one committed, or the first one consumed.</summary>
    public long CommittedOffset
    {
        get
        {
            lock (_gate)
            {
                return _committed;
            }
        }
    }

    /// <summary>True from when the partition is being given up: records not started yet are skipped, for its next owner.</summary>
    public bool IsRevoking
    {
        get
        {
            lock (_gate)
            {
                return _revoking;
            }
        }
    }

    public void BeginRevoke()
    {
        lock (_gate)
        {
            _revoking = true;
        }
    }

    /// <summary>A record left for the partition's next owner: no longer in flight, and the commit stops below it.</summary>
    public void Skipped(long offset)
    {
        lock (_gate)
        {
            _inFlight.Remove(offset);
            _skippedFloor = Math.Min(_skippedFloor, offset);
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Records of this partition handed to the twins and not applied yet.</summary>
    public int InFlight
    {
        get
        {
            lock (_gate)
            {
                return _inFlight.Count;
            }
        }
    }

    public void Dispatched(long offset, long timestamp)
    {
        lock (_gate)
        {
            if (_committed < 0)
            {
                // Consumption starts at the committed offset: the first record consumed is where a rewind goes back to.
                _committed = offset;
            }

            if (_oldestUncommitted == NoneUncommitted)
            {
                _oldestUncommitted = timestamp;
            }

            _inFlight.Add(offset);
            _nextOffset = offset + 1;
            Monitor.PulseAll(_gate);
        }
    }

    /// <param name="vin">The car whose twin the record changed; null when it changed none (refused, duplicate).</param>
    /// <param name="seq">The applied document's seq, which the twin must hold once durable.</param>
    public void Completed(long offset, string? vin, VehicleTopicKind kind, long seq)
    {
        lock (_gate)
        {
            _inFlight.Remove(offset);
            if (vin is not null)
            {
                _changed[vin] = _changed.GetValueOrDefault(vin, new AppliedSeqs()).With(kind, seq);
            }

            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>
    /// What a barrier covers: every record below <see cref="PartitionBarrier.Offset"/> is applied, and the cars they
    /// changed are handed over (a later barrier starts afresh). Null when there is nothing new to commit.
    /// </summary>
    public PartitionBarrier? TakeBarrier()
    {
        lock (_gate)
        {
            if (!_current || _nextOffset < 0)
            {
                return null;
            }

            var watermark = Math.Min(_inFlight.Count > 0 ? _inFlight.Min : _nextOffset, _skippedFloor);
            if (watermark <= _committed && _changed.Count == 0)
            {
                return null;
            }

            var changed = _changed;
            _changed = new Dictionary<string, AppliedSeqs>(StringComparer.Ordinal);
            return new PartitionBarrier(watermark, changed, _oldestUncommitted);
        }
    }

    /// <summary>A barrier whose twins are not all durable yet: its cars wait for the next one.</summary>
    public void Restore(PartitionBarrier barrier)
    {
        lock (_gate)
        {
            foreach (var (vin, seqs) in barrier.Changed)
            {
                _changed[vin] = _changed.GetValueOrDefault(vin, new AppliedSeqs()).Max(seqs);
            }
        }
    }

    public void Committed(long offset, long timestamp)
    {
        lock (_gate)
        {
            if (offset > _committed)
            {
                _committed = offset;

                // Records read since the barrier are not covered: they count from now, a slight underestimate.
                _oldestUncommitted = _nextOffset > offset ? timestamp : NoneUncommitted;
            }
        }
    }

    public void Retire()
    {
        lock (_gate)
        {
            _current = false;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Waits until no record of this partition is in flight; false when <paramref name="timeout"/> passed first.</summary>
    public bool WaitDrained(TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        lock (_gate)
        {
            while (_inFlight.Count > 0)
            {
                var left = deadline - Environment.TickCount64;
                if (left <= 0 || !Monitor.Wait(_gate, TimeSpan.FromMilliseconds(left)))
                {
                    return _inFlight.Count == 0;
                }
            }

            return true;
        }
    }
}

/// <param name="Offset">The offset to commit: the next record to read after a restart.</param>
/// <param name="OldestTimestamp">When the oldest record not committed before was consumed (a <see cref="TimeProvider"/> timestamp).</param>
public sealed record PartitionBarrier(long Offset, IReadOnlyDictionary<string, AppliedSeqs> Changed, long OldestTimestamp);

/// <summary>The highest telemetry and event seq a partition applied to one twin; -1 when none.</summary>
public readonly record struct AppliedSeqs(long Telemetry, long Events)
{
    public AppliedSeqs()
        : this(-1, -1)
    {
    }

    public AppliedSeqs With(VehicleTopicKind kind, long seq) => kind == VehicleTopicKind.Events
        ? this with { Events = Math.Max(Events, seq) }
        : this with { Telemetry = Math.Max(Telemetry, seq) };

    public AppliedSeqs Max(AppliedSeqs other) => new(Math.Max(Telemetry, other.Telemetry), Math.Max(Events, other.Events));
}
