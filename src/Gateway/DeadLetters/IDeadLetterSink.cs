using System.Buffers;

namespace DigitalTwin.Gateway.DeadLetters;

/// <summary>Where refused input goes besides the silo's own ring: the <c>vehicle-dead-letter</c> topic when Kafka is on.</summary>
public interface IDeadLetterSink
{
    /// <param name="payload">The refused bytes; valid only during the call.</param>
    void Refused(DeadLetter letter, ReadOnlySequence<byte> payload);
}

/// <summary>Kafka is off: the ring and the counters are all there is.</summary>
public sealed class NoDeadLetterSink : IDeadLetterSink
{
    public void Refused(DeadLetter letter, ReadOnlySequence<byte> payload)
    {
    }
}
