namespace DigitalTwin.Gateway.Mqtt;

/// <summary>
/// Names this process's gateway, so grains can route a car's commands to the gateway that holds its session,
/// and numbers its sessions, so a late close of an old session is told apart from the current one.
/// </summary>
public sealed class GatewayIdentity
{
    private long _sessions;

    public string Id { get; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}"[..^24];

    public string NewSessionId() => $"{Id}:{Interlocked.Increment(ref _sessions)}";
}
