using System.Diagnostics;
using System.Globalization;

namespace DigitalTwin.Bench;

/// <summary>
/// A throwaway PostgreSQL cluster: initdb in a temp directory, started on a free loopback port, stopped and
/// deleted on dispose (or by the <see cref="Janitor"/> when the bench is interrupted). initdb refuses root,
/// so as root the server runs as the <c>postgres</c> system user.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _root;
    private readonly string? _user;
    private IDisposable? _cleanup;

    private PostgresServer(string bin, string root, string? user, int port)
    {
        _bin = bin;
        _root = root;
        _user = user;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres";

    private string DataDirectory => Path.Combine(_root, "data");

    /// <summary>The newest installed server's bin directory (Debian's layout first), or null.</summary>
    public static string? FindBinDirectory()
    {
        const string debian = "/usr/lib/postgresql";
        if (Directory.Exists(debian))
        {
            var newest = Directory.GetDirectories(debian)
                .Select(d => (Dir: d, Version: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1))
                .Where(d => d.Version > 0 && File.Exists(Path.Combine(d.Dir, "bin", "initdb")))
                .OrderByDescending(d => d.Version)
                .Select(d => Path.Combine(d.Dir, "bin"))
                .FirstOrDefault();
            if (newest is not null)
            {
                return newest;
            }
        }

        return Shell.Which("initdb") is { } initdb && Shell.Which("pg_ctl") is not null ? Path.GetDirectoryName(initdb) : null;
    }

    /// <param name="settings">Extra server settings, as <c>name=value</c>.</param>
    public static async Task<PostgresServer> StartAsync(IEnumerable<string> settings, CancellationToken cancel)
    {
        var bin = FindBinDirectory() ?? throw new TargetUnavailableException("PostgreSQL is not installed (no initdb; on Debian: apt-get install postgresql)");
        var user = Shell.IsRoot ? "postgres" : null;
        var root = Directory.CreateTempSubdirectory("dt-bench-pg-").FullName;
        var server = new PostgresServer(bin, root, user, Ports.Free());
        server._cleanup = Janitor.Register($"PostgreSQL in {root}", server.StopAndDelete);
        try
        {
            if (user is not null)
            {
                await Shell.RunAsync("chown", ["-R", $"{user}:{user}", root], cancel);
            }

            await Shell.RunAsync(Path.Combine(bin, "initdb"), ["-D", server.DataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"], cancel, user);
            var serverOptions = string.Join(' ', new[] { "listen_addresses=127.0.0.1", $"port={server.Port}", $"unix_socket_directories={root}" }.Concat(settings).Select(s => "-c " + s));
            await Shell.RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", server.DataDirectory, "-w", "-t", "60", "-l", Path.Combine(root, "server.log"), "-o", serverOptions, "start"], cancel, user);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync()
    {
        _cleanup?.Dispose();
        _cleanup = null;
        return ValueTask.CompletedTask;
    }

    // Synchronous on purpose: it also runs from ProcessExit, where nothing can be awaited.
    private void StopAndDelete()
    {
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            var start = new ProcessStartInfo { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            var arguments = new[] { Path.Combine(_bin, "pg_ctl"), "-D", DataDirectory, "-m", "immediate", "-w", "stop" };
            if (_user is not null)
            {
                start.FileName = Shell.Which("runuser", "/usr/sbin", "/sbin") ?? "runuser";
                foreach (var a in new[] { "-u", _user, "--" }.Concat(arguments))
                {
                    start.ArgumentList.Add(a);
                }
            }
            else
            {
                start.FileName = arguments[0];
                foreach (var a in arguments.Skip(1))
                {
                    start.ArgumentList.Add(a);
                }
            }

            using var stop = Process.Start(start);
            stop?.WaitForExit(TimeSpan.FromSeconds(30));
        }

        Directory.Delete(_root, recursive: true);
    }
}
