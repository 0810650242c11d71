using MQTTnet.Protocol;

namespace DigitalTwin.Silo.Drain;

/// <summary>The <c>Drain</c> section: what a silo does between SIGTERM and the moment Orleans stops.</summary>
public sealed class DrainOptions
{
    public const string SectionName = "Drain";

    /// <summary>
    /// How long the silo stays up, unready and refusing new cars, before it disconnects its cars: the time the
    /// platform needs to take it out of the load balancer (a readiness period or two in Kubernetes). 0 locally.
    /// </summary>
    public TimeSpan DeregistrationDelay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// The MQTT 5 DISCONNECT reason the cars get: <c>ServerShuttingDown</c> (0x8B, the default), <c>UseAnotherServer</c>
    /// (0x9C) or <c>ServerMoved</c> (0x9D, with <see cref="ServerReference"/>). MQTT 3.1.1 cars only see the socket close.
    /// </summary>
    public MqttDisconnectReasonCode ReasonCode { get; set; } = MqttDisconnectReasonCode.ServerShuttingDown;

    /// <summary>Sent with the DISCONNECT when set: where the cars should go (for example the MQTT Service's name).</summary>
    public string? ServerReference { get; set; }

    /// <summary>DISCONNECTs sent at once.</summary>
    public int DisconnectConcurrency { get; set; } = 64;
}
