using Npgsql;

namespace DigitalTwin.Persistence.WriteBehind;

internal static class DataSourceExtensions
{
    /// <summary>Whether PostgreSQL answers at all: how a write-behind loop tells "back" from "still away".</summary>
    public static async Task PingAsync(this NpgsqlDataSource dataSource, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT 1");
        command.CommandTimeout = (int)Math.Ceiling(timeout.TotalSeconds);
        await command.ExecuteScalarAsync(cancellationToken);
    }
}
