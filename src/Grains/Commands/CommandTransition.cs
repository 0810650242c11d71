using DigitalTwin.Grains.Abstractions.Commands;
namespace DigitalTwin.Grains.Commands;

/// <summary>The answer of <see cref="CommandLifecycle"/> to one event in a command's life.</summary>
/// <param name="State">The state after the event: the new one when applied, the unchanged one otherwise.</param>
/// <param name="Reason">Why, in words fit for a log line or a metric label's detail.</param>
public sealed record CommandTransition(TransitionVerdict Verdict, CommandState State, string Reason)
{
    public bool IsApplied => Verdict == TransitionVerdict.Applied;
}
