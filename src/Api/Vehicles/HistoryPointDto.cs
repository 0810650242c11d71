namespace DigitalTwin.Api.Vehicles;

/// <param name="Ts">The car's sample time, Unix epoch milliseconds.</param>
public sealed record HistoryPointDto(long Ts, object Value);
