namespace DigitalTwin.Gateway.Mqtt;

/// <summary>
/// Names this process's gateway, so grains can route a car's commands to the gateway that holds its session,
/// and numbers its sessions, so a late close of an old session is told apart from the current one.
/// </summary>
public sealed class GatewayIdentity
{
    private long _sessions;

    /// <summary>Host, process and 8 random hex digits: readable in logs, unique across restarts on one host.</summary>
    public string Id { get; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";

    public string NewSessionId() => $"{Id}:{Interlocked.Increment(ref _sessions)}";
}
