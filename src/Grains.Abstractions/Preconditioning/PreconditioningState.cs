using System.Text.Json.Serialization;

namespace DigitalTwin.Grains.Abstractions.Preconditioning;

public enum PreconditioningState
{
    /// <summary>The cabin will be conditioned from the plan's start time.</summary>
    [JsonStringEnumMemberName("scheduled")]
    Scheduled = 0,

    /// <summary>The start time has come (or the departure is too close for the full lead): condition now.</summary>
    [JsonStringEnumMemberName("started")]
    Started = 1,

    /// <summary>The battery is too low to spend on the cabin.</summary>
    [JsonStringEnumMemberName("refused")]
    Refused = 2,

    /// <summary>The departure time has passed.</summary>
    [JsonStringEnumMemberName("tooLate")]
    TooLate = 3,
}
