namespace DigitalTwin.Views;

/// <summary>What a voice assistant says back, and what it set going.</summary>
/// <param name="Intent">The intent understood (LockDoors, Precondition...), or null when none was.</param>
/// <param name="Outcome">answered, started, scheduled, refused, notUnderstood or ambiguous.</param>
/// <param name="Speech">One or two sentences ready for text-to-speech.</param>
/// <param name="Command">The command started, through the same lifecycle and guards as <c>POST .../commands</c>.</param>
/// <param name="Preconditioning">The plan made, for a preconditioning at a later time.</param>
public sealed record IntentAnswerDto(string? Intent, string Outcome, string Speech, CommandDto? Command = null, PreconditioningDto? Preconditioning = null);
