using System.Runtime.InteropServices;

namespace DigitalTwin.Gateway.Mqtt.Connections;

/// <summary>
/// The process's open-files limit (<c>RLIMIT_NOFILE</c>). Every socket is a descriptor, and a .NET process whose
/// descriptor table is full dies: starting a thread makes the runtime open a pipe, and when that fails it reports
/// "Out of memory." and aborts. So the broker must know the limit and stay below it.
/// </summary>
public static partial class FileDescriptorLimit
{
    // RLIMIT_NOFILE on Linux (x86-64 and arm64 alike); rlim_t is 64 bits there.
    private const int RlimitNofile = 7;

    /// <summary>
    /// Raises the soft limit to the hard one, as far as the process may without privileges, and returns the limit in
    /// force afterwards. Linux only; elsewhere, or when the calls fail, null (nothing known, nothing changed).
    /// </summary>
    public static DescriptorLimits? RaiseSoftToHard()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            if (getrlimit(RlimitNofile, out var limit) != 0)
            {
                return null;
            }

            var before = limit.Current;
            if (limit.Current < limit.Maximum)
            {
                var raised = new RLimit { Current = limit.Maximum, Maximum = limit.Maximum };
                if (setrlimit(RlimitNofile, ref raised) == 0)
                {
                    limit = raised;
                }
            }

            return new DescriptorLimits(Clamp(before), Clamp(limit.Current), Clamp(limit.Maximum));
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Descriptors the process has open now (Linux: the entries of /proc/self/fd), or null where unknown.</summary>
    public static int? CountOpen()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            // The enumeration holds one descriptor of its own on the directory.
            return Math.Max(0, Directory.EnumerateFileSystemEntries("/proc/self/fd").Count() - 1);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    // RLIM_INFINITY is all ones; no process gets near int.MaxValue descriptors in practice.
    private static long Clamp(ulong value) => value > int.MaxValue ? int.MaxValue : (long)value;

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrlimit(int resource, out RLimit limit);

    [DllImport("libc", SetLastError = true)]
    private static extern int setrlimit(int resource, ref RLimit limit);
}

/// <summary>The open-files limit before and after <see cref="FileDescriptorLimit.RaiseSoftToHard"/>.</summary>
public sealed record DescriptorLimits(long SoftBefore, long Soft, long Hard);
