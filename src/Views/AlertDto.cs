using DigitalTwin.Contract;
using DigitalTwin.Grains.Abstractions.Crash;

namespace DigitalTwin.Views;

/// <summary>An alert as the contract shows it, with the eCall-style minimum set of data.</summary>
public sealed record AlertDto(
    string Id,
    string Vin,
    string Type,
    string Status,
    string Severity,
    DateTimeOffset RaisedAt,
    DateTimeOffset OccurredAt,
    DateTimeOffset UpdatedAt,
    string Trigger,
    IReadOnlyList<string> Triggers,
    PositionDto? Position,
    int? Occupants,
    double? SpeedBeforeKmh,
    double? DeltaVKmh,
    double? PeakAccelerationMps2,
    int Revision,
    string? AcknowledgedBy,
    DateTimeOffset? AcknowledgedAt,
    string? ResolvedBy,
    DateTimeOffset? ResolvedAt)
{
    public static AlertDto From(CrashAlert alert)
    {
        var incident = alert.Incident;
        return new AlertDto(
            alert.Id,
            alert.Vin,
            alert.Type,
            WireName.Of(alert.Status),
            WireName.Of(incident.Severity),
            alert.RaisedAt,
            incident.OccurredAt,
            alert.UpdatedAt,
            WireName.Of(incident.Trigger),
            Enum.GetValues<CrashTrigger>().Where(t => t != CrashTrigger.None && incident.Triggers.HasFlag(t)).Select(WireName.Of).ToList(),
            incident.Position is { } p ? new PositionDto(p.Latitude, p.Longitude, p.Heading, p.FixAge.TotalSeconds) : null,
            incident.Occupants,
            incident.SpeedBeforeKmh,
            incident.DeltaVKmh,
            incident.PeakAccelerationMps2,
            incident.Revision,
            alert.AcknowledgedBy,
            alert.AcknowledgedAt,
            alert.ResolvedBy,
            alert.ResolvedAt);
    }
}
