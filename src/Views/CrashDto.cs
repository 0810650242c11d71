using System.Text.Json.Serialization;
using DigitalTwin.Contract;
using DigitalTwin.Grains.Abstractions.Crash;

namespace DigitalTwin.Views;

/// <summary>The twin's <c>crash</c> section: <c>none</c>, or the state of its latest crash alert.</summary>
public sealed record CrashDto(
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AlertId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Severity = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Trigger = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? RaisedAt = null)
{
    public static CrashDto From(CrashAlert? alert) => alert is null
        ? new CrashDto("none")
        : new CrashDto(WireName.Of(alert.Status), alert.Id, WireName.Of(alert.Incident.Severity), WireName.Of(alert.Incident.Trigger), alert.RaisedAt);
}
