using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Threading.Channels;

namespace DigitalTwin.Testing;

/// <summary>
/// librdkafka's mock Kafka cluster (real Kafka protocol on loopback) in a process of its own: <c>dotnet
/// DigitalTwin.KafkaMock.dll</c>, driven over its stdin. Because it is not in the test host, a test can kill a silo
/// and keep the cluster, its records and its committed offsets, or take a broker down while clients keep running.
/// The program stops when its stdin closes, so it dies with the test host; a shell watchdog makes sure of it, like
/// <see cref="SiloProcess"/>'s. Clients must be disposed before the cluster (their own teardown is then quick).
/// </summary>
/// <remarks>
/// A test project that uses it builds the program and records where it is:
/// <code>
/// &lt;ProjectReference Include="..\KafkaMock\KafkaMock.csproj" ReferenceOutputAssembly="false" OutputItemType="KafkaMockProgram" /&gt;
/// </code>
/// plus a target that turns <c>@(KafkaMockProgram)</c> into assembly metadata <see cref="ProgramMetadataKey"/> (see
/// Gateway.Tests.csproj).
/// </remarks>
public sealed class KafkaMockCluster : IAsyncDisposable
{
    /// <summary>Path of <c>DigitalTwin.KafkaMock.dll</c>, overriding what the build recorded.</summary>
    public const string ProgramVariable = "DIGITALTWIN_KAFKA_MOCK";

    /// <summary>Key of the <see cref="AssemblyMetadataAttribute"/> a test assembly records the program's path in.</summary>
    public const string ProgramMetadataKey = "KafkaMockProgram";

    private const string ProgramName = "DigitalTwin.KafkaMock";
    private const string BootstrapPrefix = "bootstrap ";
    private const int LogLinesKept = 200;

    private readonly Process _process;
    private readonly KafkaMockClusterOptions _options;
    private readonly Channel<string> _answers = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _commandGate = new(1, 1);
    private readonly OutputTail _log = new(LogLinesKept);
    private HostExitWatchdog? _watchdog;
    private int _disposed;

    private KafkaMockCluster(string program, KafkaMockClusterOptions options)
    {
        _options = options;
        Brokers = options.Brokers;
        var startInfo = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            WorkingDirectory = Path.GetDirectoryName(program)!,
        };
        startInfo.ArgumentList.Add(program);
        startInfo.ArgumentList.Add("--brokers");
        startInfo.ArgumentList.Add(options.Brokers.ToString(CultureInfo.InvariantCulture));
        foreach (var (name, partitions) in options.Topics)
        {
            startInfo.ArgumentList.Add("--topic");
            startInfo.ArgumentList.Add(string.Create(CultureInfo.InvariantCulture, $"{name}:{partitions}"));
        }

        _process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnOutput(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLog(e.Data);
    }

    /// <summary><c>host:port,...</c> of every broker, for <c>BootstrapServers</c>.</summary>
    public string BootstrapServers { get; private set; } = string.Empty;

    /// <summary>Broker ids are 1 to <see cref="Brokers"/>.</summary>
    public int Brokers { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public static Task<KafkaMockCluster> StartAsync(CancellationToken cancellationToken = default) =>
        StartAsync(new KafkaMockClusterOptions(), cancellationToken);

    /// <summary>Starts the program and returns once it printed its bootstrap servers.</summary>
    public static async Task<KafkaMockCluster> StartAsync(KafkaMockClusterOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var cluster = new KafkaMockCluster(LocateProgram(options), options);
        try
        {
            cluster._process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"Could not start {cluster._process.StartInfo.FileName}: {ex.Message}", ex);
        }

        cluster._process.BeginOutputReadLine();
        cluster._process.BeginErrorReadLine();
        cluster.StartWatchdog();
        AppDomain.CurrentDomain.ProcessExit += cluster.OnProcessExit;
        try
        {
            var first = await cluster.NextAnswerAsync(options.StartTimeout, "print its bootstrap servers", cancellationToken);
            if (!first.StartsWith(BootstrapPrefix, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"The Kafka mock printed '{first}' instead of its bootstrap servers:{Environment.NewLine}{cluster.LogTail()}");
            }

            cluster.BootstrapServers = first[BootstrapPrefix.Length..].Trim();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>A topic with <paramref name="partitions"/> partitions, replicated on up to three brokers.</summary>
    public Task CreateTopicAsync(string name, int partitions, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"A topic name has no white space: '{name}'", nameof(name));
        }

        return CommandAsync(string.Create(CultureInfo.InvariantCulture, $"topic {name} {partitions}"), cancellationToken);
    }

    /// <summary>
    /// Drops the broker's connections and refuses new ones until <see cref="BrokerUpAsync"/>. Partitions it leads keep
    /// it as their leader (the mock moves no leadership), so they cannot be written or read meanwhile. -1: every broker.
    /// </summary>
    public Task BrokerDownAsync(int brokerId, CancellationToken cancellationToken = default) =>
        CommandAsync(string.Create(CultureInfo.InvariantCulture, $"down {brokerId}"), cancellationToken);

    /// <summary>Lets a broker taken down accept connections again. -1: every broker.</summary>
    public Task BrokerUpAsync(int brokerId, CancellationToken cancellationToken = default) =>
        CommandAsync(string.Create(CultureInfo.InvariantCulture, $"up {brokerId}"), cancellationToken);

    /// <summary>What the test host's death looks like to the program: its stdin ends. It should then exit by itself.</summary>
    public void CloseStandardInput() => _process.StandardInput.Close();

    /// <summary>The program's exit code, once it exited within <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(timeout);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"The Kafka mock (pid {_process.Id}) did not exit within {timeout}:{Environment.NewLine}{LogTail()}", ex);
        }

        return _process.ExitCode;
    }

    /// <summary>The program's newest stderr lines (librdkafka's warnings) and answers, for failure messages.</summary>
    public string LogTail(int lines = 60)
    {
        return _log.Last(lines);
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"Kafka mock (pid {_process.Id}, {Brokers} brokers, {BootstrapServers})");

    /// <summary>Asks the program to quit (it destroys the cluster, then its handle); kills it if it takes too long.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        try
        {
            if (!_process.HasExited)
            {
                await _process.StandardInput.WriteLineAsync("quit");
                await _process.StandardInput.FlushAsync();
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
        {
            // Its stdin is closed already (it exited, or a test closed it): waiting below is all there is to do.
        }

        try
        {
            await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            Kill();
        }

        StopWatchdog();
        _process.Dispose();
        _commandGate.Dispose();
    }

    private async Task CommandAsync(string command, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _commandGate.WaitAsync(cancellationToken);
        try
        {
            OnLog("> " + command);
            try
            {
                await _process.StandardInput.WriteLineAsync(command.AsMemory(), cancellationToken);
                await _process.StandardInput.FlushAsync(cancellationToken);
            }
            catch (IOException ex)
            {
                throw new InvalidOperationException($"The Kafka mock is gone (command '{command}'):{Environment.NewLine}{LogTail()}", ex);
            }

            var answer = await NextAnswerAsync(_options.CommandTimeout, $"answer '{command}'", cancellationToken);
            if (answer != "ok")
            {
                throw new InvalidOperationException($"The Kafka mock refused '{command}': {answer}");
            }
        }
        finally
        {
            _commandGate.Release();
        }
    }

    private async Task<string> NextAnswerAsync(TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await _answers.Reader.ReadAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The Kafka mock did not {what} within {timeout}:{Environment.NewLine}{LogTail()}");
        }
        catch (ChannelClosedException ex)
        {
            throw new InvalidOperationException(
                $"The Kafka mock exited (code {SafeExitCode()}) before it could {what}:{Environment.NewLine}{LogTail()}", ex);
        }
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            // stdout closed: the program has exited, so whoever waits for an answer gets none.
            _answers.Writer.TryComplete();
            return;
        }

        OnLog(line);
        _answers.Writer.TryWrite(line);
    }

    private void OnLog(string? line)
    {
        if (line is null)
        {
            return;
        }

        _log.Add(line);
    }

    private void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private string SafeExitCode()
    {
        try
        {
            return _process.HasExited ? _process.ExitCode.ToString(CultureInfo.InvariantCulture) : "still running";
        }
        catch (InvalidOperationException)
        {
            return "?";
        }
    }

    /// <summary>Synchronous last resort when the test host exits without disposing.</summary>
    private void OnProcessExit(object? sender, EventArgs e)
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Kill();
        StopWatchdog();
    }

    /// <summary>
    /// The program stops by itself when its stdin ends, which a killed test host also causes; the watchdog covers the
    /// rest (a program stuck in librdkafka), after checking that the process id still belongs to the mock.
    /// </summary>
    private void StartWatchdog()
    {
        var pid = _process.Id.ToString(CultureInfo.InvariantCulture);
        _watchdog = HostExitWatchdog.Start($"sleep 5; if grep -q {ProgramName} /proc/{pid}/cmdline; then kill -9 {pid}; fi");
    }

    private void StopWatchdog() => _watchdog?.Dispose();

    private static string LocateProgram(KafkaMockClusterOptions options)
    {
        var path = options.ProgramPath;
        if (string.IsNullOrWhiteSpace(path))
        {
            path = Environment.GetEnvironmentVariable(ProgramVariable);
        }

        if (string.IsNullOrWhiteSpace(path))
        {
            path = AppDomain.CurrentDomain.GetAssemblies()
                .Where(a => !a.IsDynamic)
                .SelectMany(a => a.GetCustomAttributes<AssemblyMetadataAttribute>())
                .FirstOrDefault(a => a.Key == ProgramMetadataKey && !string.IsNullOrWhiteSpace(a.Value))?.Value;
        }

        if (string.IsNullOrWhiteSpace(path))
        {
            throw new InvalidOperationException(
                $"Where {ProgramName}.dll is was not recorded: reference tests/KafkaMock/KafkaMock.csproj with " +
                $"ReferenceOutputAssembly=\"false\" OutputItemType=\"KafkaMockProgram\" and record it as assembly metadata " +
                $"'{ProgramMetadataKey}' (see Gateway.Tests.csproj), or set {ProgramVariable}.");
        }

        return File.Exists(path)
            ? path
            : throw new InvalidOperationException($"{path} does not exist: build tests/KafkaMock (dotnet build) first.");
    }

    /// <summary>The dotnet host running these tests, so the program runs on the same runtime.</summary>
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
}
