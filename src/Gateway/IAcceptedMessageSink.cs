using System.Buffers;
using DigitalTwin.Contract.Topics;

namespace DigitalTwin.Gateway;

/// <summary>
/// Where a car's document goes once its twin has taken it, besides the twin: the Kafka records of the contract's
/// section 5 when Kafka is on, nowhere otherwise.
/// </summary>
public interface IAcceptedMessageSink
{
    /// <returns>False when the car must not be acknowledged yet: it will send the message again.</returns>
    ValueTask<bool> AcceptedAsync(AcceptedMessage message);
}

/// <param name="Duplicate">The twin had applied this seq before: a repeat the car sent because it saw no PUBACK.</param>
/// <param name="Document">The document as received; valid only during the call.</param>
public readonly record struct AcceptedMessage(
    string Vin,
    VehicleTopicKind Kind,
    long Seq,
    bool Duplicate,
    ReadOnlySequence<byte> Document,
    DateTimeOffset ReceivedAt);

/// <summary>Kafka is off: nothing else to do, every message may be acknowledged.</summary>
public sealed class NoAcceptedMessageSink : IAcceptedMessageSink
{
    private static readonly ValueTask<bool> Acknowledge = ValueTask.FromResult(true);

    public ValueTask<bool> AcceptedAsync(AcceptedMessage message) => Acknowledge;
}
