namespace DigitalTwin.Views;

/// <param name="Value">A number, a boolean or a string, as the car sent it.</param>
/// <param name="Ts">The car's sample time, Unix epoch milliseconds.</param>
public sealed record SignalDto(object Value, long Ts);
