using DigitalTwin.Gateway.DeadLetters;

namespace DigitalTwin.Api.Operations;

/// <param name="Counts">Every refusal since start, per reason; unlike the items, never evicted.</param>
/// <param name="Items">The newest refusals, newest first.</param>
public sealed record DeadLettersResponse(int Capacity, IReadOnlyDictionary<string, long> Counts, IReadOnlyList<DeadLetter> Items);
