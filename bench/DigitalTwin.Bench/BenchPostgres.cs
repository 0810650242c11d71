using DigitalTwin.Testing;

namespace DigitalTwin.Bench;

/// <summary>
/// The tests' <see cref="PostgresServer"/> as the bench needs it: always a throwaway cluster of its own (never the one
/// <c>DIGITALTWIN_TEST_POSTGRES</c> names), with PostgreSQL's durability defaults, since a benchmark measures what a
/// deployment would see. Its own cleanup (dispose, process exit, a watchdog for a killed process) removes it.
/// </summary>
internal static class BenchPostgres
{
    /// <param name="settings">Extra server settings, as <c>name=value</c>.</param>
    public static Task<PostgresServer> StartAsync(IEnumerable<string> settings, CancellationToken cancel)
    {
        if (PostgresServer.FindBinDirectory() is null)
        {
            throw new TargetUnavailableException("PostgreSQL is not installed (no initdb; on Debian: apt-get install postgresql)");
        }

        return PostgresServer.StartAsync(new PostgresServerOptions { UseConfiguredServer = false, Durable = true, Settings = [.. settings] }, cancel);
    }
}
