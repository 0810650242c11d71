using System.ComponentModel.DataAnnotations;

namespace DigitalTwin.Gateway.Mqtt;

public sealed class MqttOptions
{
    public const string SectionName = "Mqtt";

    public MqttMode Mode { get; set; } = MqttMode.Embedded;

    /// <summary>The address the embedded broker listens on (empty = all interfaces).</summary>
    public string? Host { get; set; }

    [Range(0, 65535, ErrorMessage = "Mqtt:Port must be between 0 and 65535")]
    public int Port { get; set; } = 1883;

    /// <summary>Lab switch: lets any client connect and publish for any VIN. Refused in Production.</summary>
    public bool AllowAnonymous { get; set; }

    [Range(256, 16 * 1024 * 1024, ErrorMessage = "Mqtt:MaxPayloadBytes must be between 256 bytes and 16 MiB")]
    public int MaxPayloadBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// MQTTnet.Server's outbound queue per client. Its default (250) silently drops the oldest
    /// message when a subscriber falls behind; commands to a car must not vanish that way.
    /// </summary>
    [Range(16, 1_000_000, ErrorMessage = "Mqtt:MaxPendingMessagesPerClient must be between 16 and 1,000,000")]
    public int MaxPendingMessagesPerClient { get; set; } = 10_000;

    [Range(1, 1_000_000, ErrorMessage = "Mqtt:DeadLetterCapacity must be between 1 and 1,000,000")]
    public int DeadLetterCapacity { get; set; } = 1_000;
}
