namespace DigitalTwin.Persistence.Diagnostics;

/// <summary>How one writer (snapshots, history, ...) is doing against PostgreSQL right now.</summary>
/// <param name="ConsecutiveFailures">Failed attempts since the last success; zero means healthy.</param>
/// <param name="LastError">The message of the latest failure, kept after recovery for diagnosis.</param>
public sealed record ComponentHealth(int ConsecutiveFailures, string? LastError, DateTimeOffset? LastFailureAt)
{
    public bool IsHealthy => ConsecutiveFailures == 0;
}
