using System.Text.Json.Serialization;

namespace DigitalTwin.Grains.Abstractions.Crash;

public enum AlertStatus
{
    [JsonStringEnumMemberName("open")]
    Open = 0,
    [JsonStringEnumMemberName("acknowledged")]
    Acknowledged = 1,
    [JsonStringEnumMemberName("resolved")]
    Resolved = 2,
}
