using DigitalTwin.Silo;
using DigitalTwin.Testing;

namespace DigitalTwin.EndToEnd.Tests;

/// <summary>The README's first command, as a new user meets it: a silo on embedded defaults in a process of its own.</summary>
public sealed class SiloStartupTests
{
    [Fact]
    public async Task A_silo_on_embedded_defaults_starts_without_a_warning_or_an_error()
    {
        await using var silo = SiloProcess.Start(1, typeof(SiloHost).Assembly.Location, ["--environment=Development"]);
        await silo.Ready.WaitAsync(TimeSpan.FromSeconds(60));

        // The console logger starts a warning with "warn:" and an error with "fail:" or "crit:"; a start-up step that
        // fails quietly (the crash path's warm-up did) shows up here first. Orleans' own watchdog may warn about a
        // thread-pool delay on a loaded machine, so warnings count from this product's categories only.
        var lines = silo.LogTail(300).Split('\n');
        Assert.DoesNotContain(lines, l => l.StartsWith("warn: DigitalTwin.", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("fail:", StringComparison.Ordinal) || l.StartsWith("crit:", StringComparison.Ordinal));
    }
}
