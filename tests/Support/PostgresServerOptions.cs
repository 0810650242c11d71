namespace DigitalTwin.Testing;

/// <summary>How <see cref="PostgresServer.StartAsync(PostgresServerOptions, CancellationToken)"/> gets a server; the defaults suit tests.</summary>
public sealed class PostgresServerOptions
{
    /// <summary>Use the server <see cref="PostgresServer.ConnectionStringVariable"/> names, when it is set, instead of a throwaway one.</summary>
    public bool UseConfiguredServer { get; init; } = true;

    /// <summary>
    /// Keep PostgreSQL's durability defaults (fsync, synchronous commit, full page writes). Off for tests, which are
    /// faster without them; on for benchmarks, which measure what a deployment would see.
    /// </summary>
    public bool Durable { get; init; }

    /// <summary>Further server settings of a throwaway cluster, as <c>name=value</c>; they win over the ones above.</summary>
    public IReadOnlyList<string> Settings { get; init; } = [];
}
