using System.ComponentModel.DataAnnotations;

namespace DigitalTwin.Grains.Road;

/// <summary>Traffic per cell and direction (<c>Traffic:*</c>); docs/road.md gives the formula and the sources.</summary>
public sealed class TrafficOptions
{
    public const string SectionName = "Traffic";

    /// <summary>The sliding window of the mean speed. Default 5 minutes, the usual period of traffic speed feeds.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "02:00:00", ErrorMessage = "Traffic:Window must be between 10 s and 2 hours")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A twin feeds its cell at least this often while the car stays in one spot. Default 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "Traffic:SampleInterval must be between 1 s and 10 minutes")]
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Samples in the window below which the level is <c>unknown</c>. Default 3.</summary>
    [Range(1, 10000, ErrorMessage = "Traffic:MinSamples must be between 1 and 10000")]
    public int MinSamples { get; set; } = 3;

    /// <summary>The free-flow speed of a cell with too little history. Default 50 km/h, the urban limit in most of Europe.</summary>
    [Range(5.0, 200.0, ErrorMessage = "Traffic:DefaultFreeFlowKmh must be between 5 and 200")]
    public double DefaultFreeFlowKmh { get; set; } = 50;

    /// <summary>Samples a cell direction must have seen before its learned free-flow speed is used. Default 200.</summary>
    [Range(1, 1_000_000, ErrorMessage = "Traffic:MinFreeFlowSamples must be between 1 and 1000000")]
    public int MinFreeFlowSamples { get; set; } = 200;

    /// <summary>The percentile of speeds taken as free flow. Default 85, the traffic engineer's operating speed.</summary>
    [Range(50.0, 99.0, ErrorMessage = "Traffic:FreeFlowPercentile must be between 50 and 99")]
    public double FreeFlowPercentile { get; set; } = 85;

    /// <summary>A cell publishes its summaries to its region at most this often. Default 5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ErrorMessage = "Traffic:PublishInterval must be between 100 ms and 10 minutes")]
    public TimeSpan PublishInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Samples a cell keeps per direction in its window; beyond it the oldest go. Default 4096.</summary>
    [Range(16, 1_000_000, ErrorMessage = "Traffic:MaxSamplesPerDirection must be between 16 and 1000000")]
    public int MaxSamplesPerDirection { get; set; } = 4096;
}
