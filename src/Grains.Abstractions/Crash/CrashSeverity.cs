using System.Text.Json.Serialization;

namespace DigitalTwin.Grains.Abstractions.Crash;

/// <summary>How bad a crash looks from the car's data; ordered, so a higher value is worse.</summary>
public enum CrashSeverity
{
    /// <summary>A low delta-v impact, or an SOS call with no other evidence.</summary>
    [JsonStringEnumMemberName("minor")]
    Minor = 0,

    /// <summary>An airbag deployed, or a delta-v from <c>Crash:SevereDeltaVKmh</c>.</summary>
    [JsonStringEnumMemberName("severe")]
    Severe = 1,

    /// <summary>A delta-v from <c>Crash:CriticalDeltaVKmh</c>.</summary>
    [JsonStringEnumMemberName("critical")]
    Critical = 2,
}
