using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace DigitalTwin.Testing;

/// <summary>
/// A real PostgreSQL for tests. By default a throwaway cluster: <c>initdb</c> into a temporary directory, started on a
/// free loopback port with its unix socket in that directory, stopped and deleted on dispose (or when the process
/// exits). With <see cref="ConnectionStringVariable"/> set, the user's own server is used instead and only the
/// databases created here are dropped at the end (<see cref="PostgresServerOptions.UseConfiguredServer"/>). Depends on
/// Npgsql alone, not on a test framework, so that every test project and the bench share it.
/// </summary>
public sealed partial class PostgresServer : IAsyncDisposable
{
    /// <summary>A connection string to a server of your own; its user needs CREATEDB.</summary>
    public const string ConnectionStringVariable = "DIGITALTWIN_TEST_POSTGRES";

    /// <summary>Where <c>initdb</c> and <c>pg_ctl</c> are, if not in /usr/lib/postgresql/*/bin or on PATH.</summary>
    public const string BinDirectoryVariable = "DIGITALTWIN_TEST_POSTGRES_BIN";

    private const string ServiceUser = "postgres";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);

    private readonly ThrowawayCluster? _cluster;
    private readonly List<string> _createdDatabases = [];
    private readonly Lock _gate = new();
    private int _disposed;

    private PostgresServer(string connectionString, ThrowawayCluster? cluster)
    {
        ConnectionString = connectionString;
        _cluster = cluster;
        if (cluster is not null)
        {
            // Dispose is the normal path; this covers a test host that exits without disposing its fixtures.
            AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        }
    }

    /// <summary>Connects to the server's maintenance database as a superuser (or as the user's configured role).</summary>
    public string ConnectionString { get; }

    /// <summary>True when this instance started the server and will delete it.</summary>
    public bool IsThrowaway => _cluster is not null;

    /// <summary>The tests' server: <see cref="ConnectionStringVariable"/>'s if set, else a fast throwaway cluster.</summary>
    public static Task<PostgresServer> StartAsync(CancellationToken cancellationToken = default) =>
        StartAsync(new PostgresServerOptions(), cancellationToken);

    public static async Task<PostgresServer> StartAsync(PostgresServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var external = options.UseConfiguredServer ? Environment.GetEnvironmentVariable(ConnectionStringVariable) : null;
        if (!string.IsNullOrWhiteSpace(external))
        {
            await using var connection = new NpgsqlConnection(external);
            try
            {
                await connection.OpenAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or ArgumentException)
            {
                throw new InvalidOperationException(
                    $"{ConnectionStringVariable} is set but its server cannot be reached: {ex.Message}", ex);
            }

            return new PostgresServer(external, cluster: null);
        }

        var cluster = await ThrowawayCluster.StartAsync(options, cancellationToken);
        return new PostgresServer(cluster.ConnectionString, cluster);
    }

    /// <summary>Creates an empty database and returns a connection string to it.</summary>
    /// <param name="label">Readable part of the name, to tell databases apart when debugging.</param>
    public async Task<string> CreateDatabaseAsync(string label, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var cleaned = NonIdentifierCharacters().Replace(label.ToLowerInvariant(), "_");
        // At most 3 + 24 + 1 + 32 = 60 characters: PostgreSQL truncates identifiers beyond 63.
        var name = $"dt_{cleaned[..Math.Min(cleaned.Length, 24)]}_{Guid.NewGuid():N}";

        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        lock (_gate)
        {
            _createdDatabases.Add(name);
        }

        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Pooled connections would keep a database busy (DROP DATABASE) or the postmaster waiting on clients.
        NpgsqlConnection.ClearAllPools();
        if (_cluster is not null)
        {
            AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
            await _cluster.DisposeAsync();
            return;
        }

        List<string> databases;
        lock (_gate)
        {
            databases = [.. _createdDatabases];
        }

        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        foreach (var database in databases)
        {
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>
    /// The directory of <c>initdb</c> and <c>pg_ctl</c>: <see cref="BinDirectoryVariable"/>, the newest
    /// /usr/lib/postgresql/*/bin, or PATH; null when PostgreSQL is not installed.
    /// </summary>
    public static string? FindBinDirectory()
    {
        var configured = Environment.GetEnvironmentVariable(BinDirectoryVariable);
        var candidates = new List<string>();
        if (!string.IsNullOrWhiteSpace(configured))
        {
            candidates.Add(configured);
        }

        if (Directory.Exists("/usr/lib/postgresql"))
        {
            // Newest major version first.
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var major) ? major : 0)
                .Select(d => Path.Combine(d, "bin")));
        }

        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
    }

    private void OnProcessExit(object? sender, EventArgs e) => _cluster?.StopNow();

    [GeneratedRegex("[^a-z0-9_]")]
    private static partial Regex NonIdentifierCharacters();

    /// <summary>The server this process started, and how to get rid of it.</summary>
    private sealed class ThrowawayCluster : IAsyncDisposable
    {
        private readonly string _root;
        private readonly string _dataDirectory;
        private readonly string _binDirectory;
        private readonly bool _asServiceUser;
        private HostExitWatchdog? _watchdog;
        private int _stopped;

        private ThrowawayCluster(string root, string binDirectory, bool asServiceUser, int port)
        {
            _root = root;
            _dataDirectory = Path.Combine(root, "data");
            _binDirectory = binDirectory;
            _asServiceUser = asServiceUser;
            ConnectionString = new NpgsqlConnectionStringBuilder
            {
                Host = IPAddress.Loopback.ToString(),
                Port = port,
                Username = ServiceUser,
                Database = "postgres",
                IncludeErrorDetail = true,
            }.ConnectionString;
        }

        public string ConnectionString { get; }

        private string LogFile => Path.Combine(_root, "postgres.log");

        public static async Task<ThrowawayCluster> StartAsync(PostgresServerOptions options, CancellationToken cancellationToken)
        {
            var binDirectory = RequireBinDirectory();
            // initdb refuses to run as root, so as root the cluster belongs to the postgres service account.
            var asServiceUser = Environment.IsPrivilegedProcess;
            var root = Directory.CreateTempSubdirectory("digitaltwin-pg-").FullName;
            try
            {
                if (asServiceUser)
                {
                    await RunAsync("chown", [$"{ServiceUser}:", root], root, cancellationToken);
                }

                ThrowawayCluster? cluster = null;
                for (var attempt = 1; cluster is null; attempt++)
                {
                    var candidate = new ThrowawayCluster(root, binDirectory, asServiceUser, TestPorts.Free());
                    if (attempt == 1)
                    {
                        await candidate.InitDbAsync(cancellationToken);
                    }

                    // Another process may take the port between probing and binding; try a fresh one a few times.
                    if (await candidate.TryStartAsync(options, throwOnFailure: attempt == 3, cancellationToken))
                    {
                        cluster = candidate;
                        cluster.StartWatchdog();
                    }
                }

                return cluster;
            }
            catch
            {
                TryDelete(root);
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _stopped, 1) != 0)
            {
                return;
            }

            try
            {
                await RunAsServerOwnerAsync("pg_ctl", ["-D", _dataDirectory, "-m", "fast", "-w", "-t", "30", "stop"], CancellationToken.None);
            }
            catch (Exception)
            {
                KillPostmaster();
            }

            StopWatchdog();
            TryDelete(_root);
        }

        /// <summary>Synchronous last resort for process exit, where nothing can be awaited.</summary>
        public void StopNow()
        {
            if (Interlocked.Exchange(ref _stopped, 1) != 0)
            {
                return;
            }

            KillPostmaster();
            StopWatchdog();
            TryDelete(_root);
        }

        /// <summary>
        /// A test host killed outright (a hang dump, a cancelled CI job) runs neither Dispose nor exit handlers. A shell
        /// loop outside this process notices that and removes the cluster, so no server outlives the run.
        /// </summary>
        private void StartWatchdog()
        {
            var stop = _asServiceUser
                ? $"{FindRunUser()} -u {ServiceUser} -- '{Path.Combine(_binDirectory, "pg_ctl")}' -D '{_dataDirectory}' -m immediate -w stop"
                : $"'{Path.Combine(_binDirectory, "pg_ctl")}' -D '{_dataDirectory}' -m immediate -w stop";
            _watchdog = HostExitWatchdog.Start($"if [ -d '{_dataDirectory}' ]; then {stop}; rm -rf '{_root}'; fi");
        }

        private void StopWatchdog() => _watchdog?.Dispose();

        private async Task InitDbAsync(CancellationToken cancellationToken) =>
            await RunAsServerOwnerAsync(
                "initdb",
                ["-D", _dataDirectory, "-U", ServiceUser, "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
                cancellationToken);

        private async Task<bool> TryStartAsync(PostgresServerOptions options, bool throwOnFailure, CancellationToken cancellationToken)
        {
            var port = new NpgsqlConnectionStringBuilder(ConnectionString).Port;
            string[] placement = ["-c listen_addresses=127.0.0.1", $"-p {port.ToString(CultureInfo.InvariantCulture)}", $"-k {_root}"];
            // Durability is worthless for a cluster deleted after the run; without fsync the tests run faster. A benchmark
            // asks for the server's defaults instead, so that it measures what a deployment would see.
            string[] speed = options.Durable ? [] : ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off", "-c max_connections=200"];
            // Last, so that the caller's settings win over the ones above.
            var serverOptions = string.Join(' ', placement.Concat(speed).Concat(options.Settings.Select(setting => "-c " + setting)));
            try
            {
                await RunAsServerOwnerAsync("pg_ctl", ["-D", _dataDirectory, "-l", LogFile, "-w", "-t", "60", "-o", serverOptions, "start"], cancellationToken);
                return true;
            }
            catch (InvalidOperationException) when (!throwOnFailure)
            {
                return false;
            }
            catch (InvalidOperationException ex)
            {
                throw new InvalidOperationException($"{ex.Message}{Environment.NewLine}Server log:{Environment.NewLine}{ReadLog()}", ex);
            }
        }

        private string ReadLog()
        {
            try
            {
                return File.ReadAllText(LogFile);
            }
            catch (IOException)
            {
                return "(no log)";
            }
        }

        private void KillPostmaster()
        {
            try
            {
                var pidLine = File.ReadLines(Path.Combine(_dataDirectory, "postmaster.pid")).FirstOrDefault();
                if (int.TryParse(pidLine, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid))
                {
                    using var postmaster = Process.GetProcessById(pid);
                    postmaster.Kill(entireProcessTree: true);
                    postmaster.WaitForExit(TimeSpan.FromSeconds(10));
                }
            }
            catch (Exception ex) when (ex is IOException or ArgumentException or InvalidOperationException or Win32Exception)
            {
                // Already gone.
            }
        }

        private Task RunAsServerOwnerAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
        {
            var executable = Path.Combine(_binDirectory, tool);
            return _asServiceUser
                ? RunAsync(FindRunUser(), ["-u", ServiceUser, "--", executable, .. arguments], _root, cancellationToken)
                : RunAsync(executable, arguments, _root, cancellationToken);
        }

        private static string RequireBinDirectory() =>
            FindBinDirectory() ?? throw new InvalidOperationException(
                "The tests need a PostgreSQL server, but initdb and pg_ctl were not found in " +
                $"{BinDirectoryVariable}, /usr/lib/postgresql/*/bin or PATH. Install the server binaries " +
                $"(Debian: apt-get install postgresql-15) or set {ConnectionStringVariable} to a connection string of a " +
                "server whose user may create databases.");

        private static string FindRunUser() =>
            new[] { "/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("Running the tests as root needs runuser (util-linux) to start PostgreSQL as the postgres user.");


        private static void TryDelete(string directory)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A leftover temp directory is harmless; failing the run over it is not.
            }
        }

        private static async Task RunAsync(string fileName, IReadOnlyList<string> arguments, string workingDirectory, CancellationToken cancellationToken)
        {
            var startInfo = new ProcessStartInfo(fileName)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                // The service user must be able to enter the working directory; the test's may be /root.
                WorkingDirectory = workingDirectory,
            };
            foreach (var argument in arguments)
            {
                startInfo.ArgumentList.Add(argument);
            }

            using var process = new Process { StartInfo = startInfo };
            try
            {
                process.Start();
            }
            catch (Win32Exception ex)
            {
                throw new InvalidOperationException($"Could not run {fileName}: {ex.Message}", ex);
            }

            var output = new StringBuilder();
            var readOut = PumpAsync(process.StandardOutput, output);
            var readErr = PumpAsync(process.StandardError, output);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(CommandTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            // pg_ctl start leaves the server running; if it ever inherits our pipes, do not wait for them to close.
            await Task.WhenAny(Task.WhenAll(readOut, readErr), Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None));
            if (process.ExitCode != 0)
            {
                string text;
                lock (output)
                {
                    text = output.ToString();
                }

                throw new InvalidOperationException(
                    $"{Path.GetFileName(fileName)} {string.Join(' ', arguments)} exited with {process.ExitCode}: {text.Trim()}");
            }
        }

        private static async Task PumpAsync(StreamReader reader, StringBuilder sink)
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                lock (sink)
                {
                    sink.AppendLine(line);
                }
            }
        }
    }
}
