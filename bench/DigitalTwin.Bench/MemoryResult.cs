namespace DigitalTwin.Bench;

/// <param name="HistoryPerSignal">Points of in-memory signal history per signal (0: off, as with PostgreSQL history).</param>
/// <param name="WorkingSetBytesPerTwin">(resident set after - before) / twins, both after a full compacting GC.</param>
/// <param name="GcHeapBytesPerTwin">(live managed heap after - before) / twins.</param>
/// <param name="ActivationsPerSecond">Twins activated and given their first 20 signals per second.</param>
public sealed record MemoryResult(
    int Twins,
    int HistoryPerSignal,
    int SignalsPerTwin,
    long WorkingSetBefore,
    long WorkingSetAfter,
    long GcHeapBefore,
    long GcHeapAfter,
    double WorkingSetBytesPerTwin,
    double GcHeapBytesPerTwin,
    double ActivationsPerSecond);
