using System.Runtime.InteropServices;

namespace DigitalTwin.Bench;

public sealed record MachineInfo(int Cores, double MemoryGiB, string Os, string Cpu, string Runtime)
{
    public static MachineInfo Current() => new(
        Environment.ProcessorCount,
        Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024), 1),
        OsName(),
        CpuModel(),
        RuntimeInformation.FrameworkDescription);

    /// <summary>The report's "machine:" line: what ran it, and how busy it was at the start and the end.</summary>
    public string Line(string loadAtStart, string? loadAtEnd) => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"machine: {Cores} cores, {MemoryGiB:0.#} GiB, {Os}, {Runtime}, {Cpu}; load average {loadAtStart} at start, {loadAtEnd} at end");

    /// <summary>
    /// The 1, 5 and 15 minute load averages: on a shared machine they tell how much of the CPU other work took.
    /// </summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static string OsName()
    {
        const string prefix = "PRETTY_NAME=";
        var line = File.Exists("/etc/os-release") ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) : null;
        return line is null ? RuntimeInformation.OSDescription : line[prefix.Length..].Trim('"');
    }

    private static string CpuModel()
    {
        const string key = "model name";
        var line = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal)) : null;
        return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }
}
