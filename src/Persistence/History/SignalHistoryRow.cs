using DigitalTwin.Contract.Telemetry;

namespace DigitalTwin.Persistence.History;

/// <summary>One sample of one signal of one vehicle, as it goes into <c>signal_history</c>.</summary>
/// <param name="Ts">The car's sample time.</param>
public readonly record struct SignalHistoryRow(string Vin, string Signal, DateTimeOffset Ts, SignalValue Value);
