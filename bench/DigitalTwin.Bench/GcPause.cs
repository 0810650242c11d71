using System.Diagnostics;

namespace DigitalTwin.Bench;

/// <summary>One GC pause, from suspension to restart, as <see cref="Stopwatch"/> timestamps.</summary>
/// <param name="Generation">The generation collected, or -1 for a suspension without a collection start of its own
/// (the end of a background GC, or the runtime suspending for something other than a GC).</param>
public readonly record struct GcPause(long Start, long End, int Generation)
{
    public double Milliseconds => (End - Start) * 1000.0 / Stopwatch.Frequency;

    public bool Overlaps(long from, long until) => Start < until && End > from;
}
