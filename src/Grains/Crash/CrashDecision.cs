using DigitalTwin.Grains.Abstractions.Crash;
namespace DigitalTwin.Grains.Crash;

/// <summary>What one observation meant for crash detection.</summary>
/// <param name="Incident">The raised or updated incident; null for <see cref="CrashOutcome.None"/> and <see cref="CrashOutcome.Stale"/>.</param>
public sealed record CrashDecision(CrashOutcome Outcome, CrashIncident? Incident)
{
    public static readonly CrashDecision None = new(CrashOutcome.None, null);
    public static readonly CrashDecision Stale = new(CrashOutcome.Stale, null);
}
