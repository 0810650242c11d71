namespace DigitalTwin.Api.Vehicles;

public sealed record SignalHistoryDto(string Vin, string Signal, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<HistoryPointDto> Points);
