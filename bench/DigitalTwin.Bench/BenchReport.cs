namespace DigitalTwin.Bench;

/// <summary>Everything one run measured; serialized as the JSON result and printed as the table.</summary>
public sealed class BenchReport
{
    public required DateTimeOffset StartedAt { get; init; }
    public required string Command { get; init; }
    public required bool Smoke { get; init; }
    public required MachineInfo Machine { get; init; }
    public required int Cars { get; init; }
    public required double SecondsPerScenario { get; init; }
    public required double WarmupSeconds { get; init; }
    public required int Window { get; init; }
    public required int PayloadBytes { get; init; }
    public Dictionary<string, string> Targets { get; } = [];
    public List<ThroughputResult> Throughput { get; } = [];
    public List<LatencyResult> Latency { get; } = [];
    public List<MemoryResult> Memory { get; } = [];
    public List<FlushResult> Flush { get; } = [];
    public List<CrashResult> Crash { get; } = [];
    public List<RatioResult> Ratios { get; } = [];
    public List<GoalResult> Goals { get; } = [];
    public List<Note> Skipped { get; } = [];
    public List<Note> Errors { get; } = [];
    public required string LoadAverageAtStart { get; init; }
    public string? LoadAverageAtEnd { get; set; }
    public double TotalSeconds { get; set; }
}
