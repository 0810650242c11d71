using DigitalTwin.Grains.Abstractions.Crash;
using DigitalTwin.Grains.Abstractions.Preconditioning;
using DigitalTwin.Grains.Abstractions.Telemetry;

namespace DigitalTwin.Grains.Abstractions.Vehicles;

/// <summary>
/// Everything a twin knows, as one serializable value: what the grain persists and what the API renders.
/// </summary>
[GenerateSerializer, Immutable, Alias("dt.TwinSnapshot")]
public sealed record TwinSnapshot
{
    [Id(0)] public required string Vin { get; init; }
    [Id(1)] public bool Online { get; init; }
    [Id(2)] public DateTimeOffset? LastSeenAt { get; init; }
    [Id(3)] public long Version { get; init; }
    [Id(4)] public long LastTelemetrySeq { get; init; } = -1;
    [Id(5)] public long LastEventSeq { get; init; } = -1;
    [Id(6)] public IReadOnlyDictionary<string, SignalReading> Signals { get; init; } = EmptySignals;

    /// <summary>The latest crash alert of this vehicle, if any: the twin's <c>crash</c> section.</summary>
    [Id(7)] public CrashAlert? Crash { get; init; }

    /// <summary>The cabin preconditioning plan, if any: the twin's <c>preconditioning</c> section.</summary>
    [Id(8)] public PreconditioningPlan? Preconditioning { get; init; }

    private static readonly IReadOnlyDictionary<string, SignalReading> EmptySignals =
        new Dictionary<string, SignalReading>(0);

    /// <summary>A twin that has never heard from its car.</summary>
    public bool IsEmpty => Version == 0;
}
