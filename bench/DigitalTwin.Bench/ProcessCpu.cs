using System.Globalization;

namespace DigitalTwin.Bench;

/// <summary>
/// CPU time a process has used so far (user + system, from <c>/proc/{pid}/stat</c>). On a machine shared with other
/// work, the CPU a process used for a measured amount of work says more than the wall-clock rate does.
/// </summary>
public static class ProcessCpu
{
    // USER_HZ: the unit of utime and stime in /proc, 100 on every Linux the bench runs on.
    private const double TicksPerSecond = 100;

    /// <summary>Seconds of CPU the process used, or null when it cannot be read (not Linux, process gone).</summary>
    public static double? Seconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");

            // The command name (field 2) may hold spaces; the fields after its closing parenthesis start at field 3.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var user = long.Parse(fields[11], CultureInfo.InvariantCulture);
            var system = long.Parse(fields[12], CultureInfo.InvariantCulture);
            return (user + system) / TicksPerSecond;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>The sum over several processes; null when any cannot be read.</summary>
    public static double? Seconds(IEnumerable<int> pids)
    {
        var sum = 0.0;
        foreach (var pid in pids)
        {
            if (Seconds(pid) is not { } s)
            {
                return null;
            }

            sum += s;
        }

        return sum;
    }

    public static double Self() => Environment.ProcessId is var pid && Seconds(pid) is { } s ? s : System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
}
