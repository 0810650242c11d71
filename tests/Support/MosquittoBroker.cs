using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace DigitalTwin.Testing;

/// <summary>
/// Debian's Mosquitto (<c>/usr/sbin/mosquitto</c>, package <c>mosquitto</c>) in the foreground on a free loopback port,
/// with a configuration this class writes to a temp directory: anonymous access and a raised in-flight window and queue,
/// the settings the external-broker mode is measured with (<c>docs/benchmarks.md</c>). Killed on dispose, or by a
/// watchdog if the host dies first.
/// </summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    public const string DefaultPath = "/usr/sbin/mosquitto";

    private readonly Process _process;
    private readonly OutputTail _log = new(200);
    private readonly string _directory;
    private readonly HostExitWatchdog _watchdog;

    private MosquittoBroker(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
        _watchdog = HostExitWatchdog.Start($"kill -9 {process.Id.ToString(CultureInfo.InvariantCulture)}; rm -rf '{directory}'");
    }

    public int Port { get; }

    public string LogTail(int lines = 40) => _log.Last(lines);

    /// <param name="extraConfiguration">More lines for <c>mosquitto.conf</c>.</param>
    public static async Task<MosquittoBroker> StartAsync(int maxInflightMessages = 1000, int maxQueuedMessages = 1_000_000, string? extraConfiguration = null)
    {
        if (!File.Exists(DefaultPath))
        {
            throw new InvalidOperationException($"Mosquitto is not installed at {DefaultPath}: apt-get install -y mosquitto mosquitto-clients");
        }

        var port = TestPorts.Free();
        var directory = Directory.CreateTempSubdirectory("digitaltwin-mosquitto-").FullName;
        var config = Path.Combine(directory, "mosquitto.conf");
        await File.WriteAllTextAsync(config, string.Join('\n',
            $"listener {port.ToString(CultureInfo.InvariantCulture)} 127.0.0.1",
            "allow_anonymous true",
            // Its defaults (20 in flight per client) cap a QoS 1 subscriber at a few thousand messages a second.
            $"max_inflight_messages {maxInflightMessages.ToString(CultureInfo.InvariantCulture)}",
            $"max_queued_messages {maxQueuedMessages.ToString(CultureInfo.InvariantCulture)}",
            "persistence false",
            extraConfiguration ?? string.Empty,
            string.Empty));

        var startInfo = new ProcessStartInfo(DefaultPath) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add(config);
        Process process;
        try
        {
            process = Process.Start(startInfo) ?? throw new InvalidOperationException("Mosquitto did not start");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"Could not start {DefaultPath}: {ex.Message}", ex);
        }

        var broker = new MosquittoBroker(process, directory, port);
        process.OutputDataReceived += (_, e) => broker.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => broker.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await broker.WaitUntilListeningAsync();
        return broker;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
        _watchdog.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void OnLine(string? line)
    {
        if (line is not null)
        {
            _log.Add(line);
        }
    }

    private async Task WaitUntilListeningAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Mosquitto exited with code {_process.ExitCode}:{Environment.NewLine}{LogTail()}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
        }
    }

}
