namespace DigitalTwin.Grains.Abstractions.Crash;

/// <summary>
/// The alert for one incident (contract: <c>vehicle-alerts</c>, <c>GET .../alerts</c>). An update of the
/// incident keeps the alert's id, so consumers replace the alert they hold instead of adding one.
/// </summary>
[GenerateSerializer, Immutable, Alias("dt.CrashAlert")]
public sealed record CrashAlert(
    [property: Id(0)] string Id,
    [property: Id(1)] string Vin,
    [property: Id(2)] CrashIncident Incident)
{
    public const string AlertType = "crash";

    public string Type => AlertType;

    [Id(3)] public AlertStatus Status { get; init; } = AlertStatus.Open;

    /// <summary>When the backend raised the alert (its own clock, unlike the incident's car times).</summary>
    [Id(4)] public DateTimeOffset RaisedAt { get; init; }

    [Id(5)] public DateTimeOffset UpdatedAt { get; init; }

    [Id(6)] public string? AcknowledgedBy { get; init; }

    [Id(7)] public DateTimeOffset? AcknowledgedAt { get; init; }

    [Id(8)] public string? ResolvedBy { get; init; }

    [Id(9)] public DateTimeOffset? ResolvedAt { get; init; }

    /// <summary>
    /// The id derives from the VIN and the incident's first trigger time, so a replayed or re-raised copy of the
    /// same incident lands on the same alert instead of a new one.
    /// </summary>
    public static CrashAlert For(string vin, CrashIncident incident)
    {
        ArgumentException.ThrowIfNullOrEmpty(vin);
        ArgumentNullException.ThrowIfNull(incident);
        return new CrashAlert($"{vin}-crash-{incident.OccurredAt.ToUnixTimeMilliseconds()}", vin, incident);
    }
}
