using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace DigitalTwin.Testing;

/// <summary>
/// One silo as an operator runs it: <c>dotnet DigitalTwin.Silo.dll --key=value ...</c> in a process of its own, on
/// free loopback ports. Its output is drained continuously (a full pipe would stall the silo) and the newest lines are
/// kept for failure messages. <see cref="Kill"/> is <c>kill -9</c>. A shell watchdog kills the silo if the test host
/// itself dies without disposing it, so no silo outlives the run.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    public const string ReadyLine = "DigitalTwin silo ready";

    private const int LogLinesKept = 300;

    private readonly Process _process;
    private readonly OutputTail _log = new(LogLinesKept);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private HostExitWatchdog? _watchdog;
    private int _disposed;

    private SiloProcess(int number, string siloAssembly, IEnumerable<string> settings, int? openFilesLimit, IReadOnlyDictionary<string, string>? environment)
    {
        Number = number;
        HttpPort = TestPorts.Free();
        MqttPort = TestPorts.Free();
        SiloPort = TestPorts.Free();
        GatewayPort = TestPorts.Free();
        BaseAddress = new Uri($"http://127.0.0.1:{HttpPort.ToString(CultureInfo.InvariantCulture)}");

        // With a limit, a shell lowers it and then becomes the silo (exec), so the process id stays the silo's.
        var startInfo = new ProcessStartInfo(openFilesLimit is null ? DotnetHost() : "/bin/bash")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(siloAssembly)!,
        };
        if (openFilesLimit is { } limit)
        {
            startInfo.ArgumentList.Add("-c");
            startInfo.ArgumentList.Add(string.Create(CultureInfo.InvariantCulture, $"ulimit -n {limit} && exec \"$@\""));
            startInfo.ArgumentList.Add("bash");
            startInfo.ArgumentList.Add(DotnetHost());
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        startInfo.ArgumentList.Add(siloAssembly);
        foreach (var argument in PortArguments().Concat(settings))
        {
            startInfo.ArgumentList.Add(argument);
        }

        _process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.Exited += (_, _) => _ready.TrySetException(new InvalidOperationException(
            $"silo {Number} exited with code {SafeExitCode()} before it was ready:{Environment.NewLine}{LogTail()}"));
    }

    /// <summary>1, 2, 3...: in the order the fixture started them.</summary>
    public int Number { get; }

    public int HttpPort { get; }

    public int MqttPort { get; }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public Uri BaseAddress { get; }

    public int ProcessId => _process.Id;

    /// <summary>Completes when the silo logs <see cref="ReadyLine"/>; fails if the process exits first.</summary>
    public Task Ready => _ready.Task;

    public bool HasExited => _process.HasExited;

    public static SiloProcess Start(int number, string siloAssembly, IEnumerable<string> settings) => Start(number, siloAssembly, settings, null);

    /// <summary>Starts the silo; with <paramref name="openFilesLimit"/>, under that <c>ulimit -n</c> (soft and hard).</summary>
    public static SiloProcess Start(int number, string siloAssembly, IEnumerable<string> settings, int? openFilesLimit) =>
        Start(number, siloAssembly, settings, openFilesLimit, null);

    /// <summary>Starts the silo with <paramref name="environment"/> added to its environment (a pod's downward API, say).</summary>
    public static SiloProcess Start(int number, string siloAssembly, IEnumerable<string> settings, int? openFilesLimit, IReadOnlyDictionary<string, string>? environment)
    {
        var silo = new SiloProcess(number, siloAssembly, settings, openFilesLimit, environment);
        try
        {
            silo._process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"Could not start {silo._process.StartInfo.FileName}: {ex.Message}", ex);
        }

        silo._process.BeginOutputReadLine();
        silo._process.BeginErrorReadLine();
        silo.StartWatchdog();
        return silo;
    }

    /// <summary>The exit code, once <see cref="HasExited"/>.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// <c>kill -TERM</c>, as Kubernetes stops a pod: the silo drains (readiness false, cars told to go elsewhere,
    /// snapshots flushed) and exits on its own; <see cref="WaitForExitAsync"/> waits for that.
    /// </summary>
    public void Terminate()
    {
        if (!_process.HasExited && SendSignal(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill -TERM {_process.Id} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    /// <summary><c>kill -9</c>: no shutdown hooks, no final flush, sockets closed by the kernel.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.WaitForExit(TimeSpan.FromSeconds(30));
    }

    public string LogTail(int lines = 60)
    {
        return _log.Last(lines);
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"silo {Number} (pid {_process.Id}, HTTP {HttpPort}, MQTT {MqttPort}, silo port {SiloPort}, gateway {GatewayPort})");

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Kill();
        await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        StopWatchdog();
        _process.Dispose();
    }

    /// <summary>Synchronous last resort when the test host exits without disposing.</summary>
    public void KillNow()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Kill();
        StopWatchdog();
    }

    private IEnumerable<string> PortArguments() =>
    [
        string.Create(CultureInfo.InvariantCulture, $"--urls={BaseAddress}"),
        string.Create(CultureInfo.InvariantCulture, $"--Mqtt:Port={MqttPort}"),
        "--Mqtt:Host=127.0.0.1",
        string.Create(CultureInfo.InvariantCulture, $"--Orleans:SiloPort={SiloPort}"),
        string.Create(CultureInfo.InvariantCulture, $"--Orleans:GatewayPort={GatewayPort}"),
    ];

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        _log.Add(line);

        if (line.Contains(ReadyLine, StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }

    private string SafeExitCode()
    {
        try
        {
            return _process.ExitCode.ToString(CultureInfo.InvariantCulture);
        }
        catch (InvalidOperationException)
        {
            return "?";
        }
    }

    /// <summary>
    /// A test host killed outright runs neither Dispose nor exit handlers; a shell outside it notices and kills the
    /// silo, after checking that the process id still belongs to a silo.
    /// </summary>
    private void StartWatchdog() =>
        _watchdog = HostExitWatchdog.Start(
            $"if grep -q DigitalTwin.Silo /proc/{_process.Id.ToString(CultureInfo.InvariantCulture)}/cmdline; then kill -9 {_process.Id.ToString(CultureInfo.InvariantCulture)}; fi");

    private void StopWatchdog() => _watchdog?.Dispose();

    /// <summary>The dotnet host running these tests, so the silo runs on the same runtime.</summary>
    private static string DotnetHost()
    {
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }

        var current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

}
