using System.Text.Json.Serialization;

namespace DigitalTwin.Grains.Abstractions.Crash;

/// <summary>
/// What made the detector believe in a crash. A flags type because one incident gathers every trigger
/// seen within its window; a single value names the trigger that raised it.
/// </summary>
[Flags]
public enum CrashTrigger
{
    [JsonStringEnumMemberName("none")]
    None = 0,

    /// <summary>An airbag signal turned deployed, or the car sent an <c>AirbagDeployed</c> event.</summary>
    [JsonStringEnumMemberName("airbag")]
    Airbag = 1,

    /// <summary>An acceleration peak together with a drop from moving to standstill.</summary>
    [JsonStringEnumMemberName("severeDeceleration")]
    SevereDeceleration = 2,

    /// <summary>Someone in the car pressed the SOS button (<c>SosButton</c> event).</summary>
    [JsonStringEnumMemberName("sosButton")]
    SosButton = 4,
}
