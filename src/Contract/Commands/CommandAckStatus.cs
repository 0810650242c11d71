using System.Text.Json.Serialization;

namespace DigitalTwin.Contract.Commands;

/// <summary>The <c>status</c> of a car's ack on <c>vehicles/{vin}/commands/ack</c>.</summary>
public enum CommandAckStatus
{
    [JsonStringEnumMemberName("accepted")]
    Accepted = 0,
    [JsonStringEnumMemberName("rejected")]
    Rejected = 1,
    [JsonStringEnumMemberName("completed")]
    Completed = 2,
    [JsonStringEnumMemberName("failed")]
    Failed = 3,
}
