using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace DigitalTwin.Bench;

/// <summary>Starts this program again as a <see cref="MemoryProbe"/> child per twin count and collects its line.</summary>
public static class MemoryRunner
{
    public static async Task<MemoryResult> MeasureAsync(int twins, int historyPerSignal, CancellationToken cancel)
    {
        var start = BenchChild.StartInfo(["--memory-child", twins.ToString(CultureInfo.InvariantCulture), "--memory-history", historyPerSignal.ToString(CultureInfo.InvariantCulture)]);
        start.RedirectStandardError = false;

        using var child = Process.Start(start) ?? throw new InvalidOperationException("could not start the memory probe");
        using var cleanup = Janitor.Register($"memory probe (pid {child.Id})", () =>
        {
            if (!child.HasExited)
            {
                child.Kill(entireProcessTree: true);
            }
        });

        // Generous: a million activations on two busy cores take a few minutes.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(120 + twins / 1000.0));
        MemoryResult? result = null;
        while (await child.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith(MemoryProbe.ResultPrefix, StringComparison.Ordinal))
            {
                result = JsonSerializer.Deserialize<MemoryResult>(line[MemoryProbe.ResultPrefix.Length..], ReportWriter.Json);
            }
        }

        await child.WaitForExitAsync(timeout.Token);
        return result ?? throw new InvalidOperationException($"the memory probe for {twins} twins exited with {child.ExitCode} and no result");
    }
}
