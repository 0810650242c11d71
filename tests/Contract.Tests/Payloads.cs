using System.Buffers;
using System.Text;

namespace DigitalTwin.Contract.Tests;

internal static class Payloads
{
    public static readonly DateTimeOffset ReceivedAt = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    public static ReadOnlySequence<byte> Utf8(string json) => new(Encoding.UTF8.GetBytes(json));

    /// <summary>Splits the payload into many one-byte segments, as a socket read could deliver it.</summary>
    public static ReadOnlySequence<byte> Fragmented(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        Segment? first = null;
        Segment? last = null;
        foreach (var b in bytes)
        {
            var next = new Segment(new[] { b });
            if (first is null)
            {
                first = last = next;
            }
            else
            {
                last = last!.Append(next);
            }
        }

        return first is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(first, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(Segment next)
        {
            next.RunningIndex = RunningIndex + Memory.Length;
            Next = next;
            return next;
        }
    }
}
