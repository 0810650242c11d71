namespace DigitalTwin.Gateway.DeadLetters;

/// <summary>A refused message, kept for an operator to read.</summary>
/// <param name="PayloadPreview">At most the first 256 bytes, decoded as UTF-8 with replacement characters.</param>
public sealed record DeadLetter(
    long Id,
    DateTimeOffset At,
    string? ClientId,
    string? Topic,
    string Reason,
    string Detail,
    int PayloadBytes,
    string PayloadPreview);
