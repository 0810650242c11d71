using System.Text.Json.Serialization;

namespace DigitalTwin.Grains.Abstractions.Road;

/// <summary>The quarter of the compass a car travels in; traffic is kept per cell and direction.</summary>
public enum TravelDirection
{
    [JsonStringEnumMemberName("unknown")]
    Unknown = 0,

    [JsonStringEnumMemberName("north")]
    North = 1,

    [JsonStringEnumMemberName("east")]
    East = 2,

    [JsonStringEnumMemberName("south")]
    South = 3,

    [JsonStringEnumMemberName("west")]
    West = 4,
}
