using System.ComponentModel.DataAnnotations;

namespace DigitalTwin.Api;

/// <summary>The <c>Api</c> section: abuse limits and live-update pacing.</summary>
public sealed class ApiOptions
{
    public const string SectionName = "Api";

    [Range(1024, 16 * 1024 * 1024, ErrorMessage = "Api:MaxRequestBodyBytes must be between 1 KiB and 16 MiB")]
    public int MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Sustained requests per second per caller (the token's <c>sub</c>, else the client address).</summary>
    [Range(1, 100_000, ErrorMessage = "Api:RequestsPerSecond must be between 1 and 100,000")]
    public int RequestsPerSecond { get; set; } = 50;

    /// <summary>Requests a caller may send in a burst above the sustained rate.</summary>
    [Range(1, 100_000, ErrorMessage = "Api:RequestBurst must be between 1 and 100,000")]
    public int RequestBurst { get; set; } = 200;

    /// <summary>Open SSE streams per caller.</summary>
    [Range(1, 10_000, ErrorMessage = "Api:MaxStreamsPerCaller must be between 1 and 10,000")]
    public int MaxStreamsPerCaller { get; set; } = 10;

    /// <summary>Twin changes sent to one SSE client per second; changes in between are coalesced into the latest.</summary>
    [Range(1, 1000, ErrorMessage = "Api:MaxTwinEventsPerSecond must be between 1 and 1000")]
    public int MaxTwinEventsPerSecond { get; set; } = 5;

    /// <summary>Cars one fleet stream (<c>GET /api/v1/fleet/stream</c>) watches; each costs the API node a stream subscription.</summary>
    [Range(1, 100_000, ErrorMessage = "Api:MaxFleetStreamVehicles must be between 1 and 100,000")]
    public int MaxFleetStreamVehicles { get; set; } = 2000;

    [Range(1, 10_000, ErrorMessage = "Api:MaxPageSize must be between 1 and 10,000")]
    public int MaxPageSize { get; set; } = 100;

    [Range(1, 100_000, ErrorMessage = "Api:MaxHistoryPoints must be between 1 and 100,000")]
    public int MaxHistoryPoints { get; set; } = 10_000;
}
