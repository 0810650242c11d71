namespace DigitalTwin.Grains.Abstractions.Commands;

/// <summary>The policy's answer to a command request.</summary>
/// <param name="Command">The pending command to queue when <see cref="Verdict"/> is <see cref="CommandVerdict.Allowed"/>.</param>
/// <param name="Errors">Every validation error found, when <see cref="CommandVerdict.Invalid"/>.</param>
/// <param name="Conflict">Why the twin's state forbids the command, when <see cref="CommandVerdict.Conflict"/>.</param>
[GenerateSerializer, Immutable, Alias("dt.CommandDecision")]
public sealed record CommandDecision(
    [property: Id(0)] CommandVerdict Verdict,
    [property: Id(1)] VehicleCommand? Command,
    [property: Id(2)] CommandValidationError[] Errors,
    [property: Id(3)] string? Conflict)
{
    public static CommandDecision Allowed(VehicleCommand command) => new(CommandVerdict.Allowed, command, [], null);

    public static CommandDecision Invalid(CommandValidationError[] errors) => new(CommandVerdict.Invalid, null, errors, null);

    public static CommandDecision Conflicted(string reason) => new(CommandVerdict.Conflict, null, [], reason);
}
