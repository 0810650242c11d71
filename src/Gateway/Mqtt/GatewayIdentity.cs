namespace DigitalTwin.Gateway.Mqtt;

/// <summary>
/// Numbers this process's MQTT sessions, so that a car's grain tells a late close of an old session apart from the
/// current one, even when the car reconnected through another silo. (Commands reach the car through the
/// <c>ICarLink</c> its session handed the grain, not through this name.)
/// </summary>
public sealed class GatewayIdentity
{
    private long _sessions;

    /// <summary>Host, process and 8 random hex digits: readable in logs, unique across restarts on one host.</summary>
    public string Id { get; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";

    public string NewSessionId() => $"{Id}:{Interlocked.Increment(ref _sessions)}";
}
