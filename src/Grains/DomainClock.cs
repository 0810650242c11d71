namespace DigitalTwin.Grains;

/// <summary>
/// The key of the <see cref="TimeProvider"/> the domain reads (plans, expiries, alert times). Orleans reads the
/// unkeyed one for its own loops, so a test can drive the domain with a fake clock without freezing the runtime.
/// </summary>
public static class DomainClock
{
    public const string Key = "digitaltwin.domain";
}
