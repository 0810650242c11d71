using System.Text.Json.Serialization;

namespace DigitalTwin.Grains.Abstractions.Road;

/// <summary>What a car's twin saw happen on the road: the kind of a hazard once cars confirm it.</summary>
public enum RoadIncident
{
    /// <summary>A plain position and speed sample: the car drove on.</summary>
    [JsonStringEnumMemberName("none")]
    None = 0,

    [JsonStringEnumMemberName("hazardLights")]
    HazardLights = 1,

    [JsonStringEnumMemberName("obstacle")]
    Obstacle = 2,

    [JsonStringEnumMemberName("hardBraking")]
    HardBraking = 3,

    [JsonStringEnumMemberName("absEngaged")]
    AbsEngaged = 4,

    [JsonStringEnumMemberName("emergencyBraking")]
    EmergencyBraking = 5,

    /// <summary>A crash alert of the twin: a hazard at once, without waiting for a second car.</summary>
    [JsonStringEnumMemberName("crash")]
    Crash = 6,
}
