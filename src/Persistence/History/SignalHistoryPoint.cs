using DigitalTwin.Grains.Abstractions.Telemetry;
using DigitalTwin.Contract.Telemetry;

namespace DigitalTwin.Persistence.History;

/// <summary>One value of a signal's history: what the telemetry endpoint returns per sample.</summary>
public readonly record struct SignalHistoryPoint(DateTimeOffset Ts, SignalValue Value);
