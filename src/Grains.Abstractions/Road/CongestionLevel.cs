using System.Text.Json.Serialization;

namespace DigitalTwin.Grains.Abstractions.Road;

/// <summary>Mean speed against the cell's free-flow speed, in bands of the Highway Capacity Manual's levels of service.</summary>
public enum CongestionLevel
{
    /// <summary>Too few samples in the window to say.</summary>
    [JsonStringEnumMemberName("unknown")]
    Unknown = 0,

    [JsonStringEnumMemberName("free")]
    Free = 1,

    [JsonStringEnumMemberName("slow")]
    Slow = 2,

    [JsonStringEnumMemberName("congested")]
    Congested = 3,

    [JsonStringEnumMemberName("jammed")]
    Jammed = 4,
}
