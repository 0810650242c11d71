using System.Diagnostics;

namespace DigitalTwin.Bench;

/// <summary>This program started again as a child process in one of its hidden modes (memory probe, generator, bare server).</summary>
public static class BenchChild
{
    public static ProcessStartInfo StartInfo(IEnumerable<string> args, bool redirectInput = false)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
        };

        // Started as `dotnet DigitalTwin.Bench.dll`, the process path is the dotnet host and needs the assembly.
        if (Path.GetFileNameWithoutExtension(start.FileName).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(typeof(BenchChild).Assembly.Location);
        }

        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        return start;
    }
}
