
namespace DigitalTwin.Contract.Telemetry;

/// <summary>The type and physical range of a signal the backend reasons about.</summary>
public sealed record SignalSpec(string Name, SignalKind Kind, double Min = double.MinValue, double Max = double.MaxValue, bool IsInteger = false, string? Unit = null);
