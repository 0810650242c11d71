namespace DigitalTwin.Api.Vehicles;

/// <param name="Next">Pass as <c>after</c> to get the next page; null on the last page.</param>
public sealed record VehiclePageDto(IReadOnlyList<VehicleSummaryDto> Items, string? Next);
