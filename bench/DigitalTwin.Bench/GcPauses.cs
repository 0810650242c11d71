using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Tracing;

namespace DigitalTwin.Bench;

/// <summary>
/// The runtime's own GC events, heard in this process: every pause (execution engine suspended to restarted) with the
/// generation it collected, on the <see cref="Stopwatch"/> clock, so a latency sample can be checked against the pauses
/// that overlap it. The silo and the load generator share this process, so a pause stalls both.
/// </summary>
public sealed class GcPauses : EventListener
{
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private const int GcStart = 1;
    private const int GcRestartEeEnd = 3;
    private const int GcSuspendEeBegin = 9;

    private readonly ConcurrentQueue<GcPause> _pauses = new();

    // Events carry wall-clock times; one reading of both clocks maps them onto the Stopwatch's.
    private readonly DateTime _baseUtc = DateTime.UtcNow;
    private readonly long _baseTicks = Stopwatch.GetTimestamp();

    private long _suspendedAt;
    private int _generation = -1;

    /// <summary>Pauses that ended so far, in the order they ended.</summary>
    public IReadOnlyList<GcPause> Pauses => [.. _pauses];

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == RuntimeSource)
        {
            EnableEvents(eventSource, EventLevel.Informational, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventSource.Name != RuntimeSource)
        {
            return;
        }

        // The runtime dispatches its events to listeners from one thread, in order.
        switch (eventData.EventId)
        {
            case GcSuspendEeBegin:
                _suspendedAt = Ticks(eventData.TimeStamp);
                _generation = -1;
                break;
            case GcStart when eventData.Payload is { Count: > 1 } payload && payload[1] is uint depth:
                _generation = (int)depth;
                break;
            case GcRestartEeEnd when _suspendedAt != 0:
                _pauses.Enqueue(new GcPause(_suspendedAt, Ticks(eventData.TimeStamp), _generation));
                _suspendedAt = 0;
                break;
        }
    }

    private long Ticks(DateTime utc) => _baseTicks + (long)((utc.ToUniversalTime() - _baseUtc).TotalSeconds * Stopwatch.Frequency);
}
