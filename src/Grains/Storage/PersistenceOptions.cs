using System.ComponentModel.DataAnnotations;

namespace DigitalTwin.Grains.Storage;

public sealed class PersistenceOptions
{
    public const string SectionName = "Persistence";

    /// <summary>How often a changed twin hands its snapshot to the store; bounds what a crash can lose.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00", ErrorMessage = "Persistence:FlushInterval must be between 10 ms and 10 minutes")]
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Distinct signals one twin may hold; more are dropped and counted.</summary>
    [Range(16, 4096, ErrorMessage = "Persistence:MaxSignalsPerTwin must be between 16 and 4096")]
    public int MaxSignalsPerTwin { get; set; } = 256;

    /// <summary>Points of each signal kept by the in-memory history of the embedded default (0 turns it off).</summary>
    [Range(0, 100_000, ErrorMessage = "Persistence:InMemoryHistoryPerSignal must be between 0 and 100,000")]
    public int InMemoryHistoryPerSignal { get; set; } = 120;

    /// <summary>
    /// How long a telemetry document waits for room in a full history buffer before the car is told to send it again
    /// (MQTT: PUBACK "implementation specific error"; Kafka: the record is retried). Below Orleans' response timeout, so
    /// the answer is this one, not a timeout.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:25", ErrorMessage = "Persistence:BackpressureTimeout must be between 10 ms and 25 seconds")]
    public TimeSpan BackpressureTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
