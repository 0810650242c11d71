using DigitalTwin.Contract.Telemetry;

namespace DigitalTwin.Grains.Storage;

/// <param name="Ts">The car's sample time, Unix epoch milliseconds.</param>
public readonly record struct HistoryPoint(long Ts, SignalValue Value);
