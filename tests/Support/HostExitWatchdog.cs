using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace DigitalTwin.Testing;

/// <summary>
/// A test host killed outright (a hang dump, a cancelled CI job) runs neither Dispose nor exit handlers. This shell
/// loop outside the host notices that the host is gone and runs a cleanup command, so nothing a test started
/// (a PostgreSQL cluster, a silo process) outlives the run.
/// </summary>
public sealed class HostExitWatchdog : IDisposable
{
    private readonly Process? _shell;

    private HostExitWatchdog(Process? shell) => _shell = shell;

    /// <param name="cleanup">A shell command run once the test host has exited.</param>
    public static HostExitWatchdog Start(string cleanup)
    {
        var script = string.Join(
            '\n',
            // Let go of the test host's output pipes, or the test runner would wait for this shell.
            "exec >/dev/null 2>&1 </dev/null",
            $"while kill -0 {Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}; do sleep 1; done",
            cleanup);
        var startInfo = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add(script);
        try
        {
            return new HostExitWatchdog(Process.Start(startInfo));
        }
        catch (Win32Exception)
        {
            // Without /bin/sh only Dispose and the exit handlers clean up; the tests still work.
            return new HostExitWatchdog(null);
        }
    }

    /// <summary>The host is cleaning up by itself: the watchdog (and its sleep) can go.</summary>
    public void Dispose()
    {
        try
        {
            if (_shell is { HasExited: false })
            {
                _shell.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _shell?.Dispose();
    }
}
