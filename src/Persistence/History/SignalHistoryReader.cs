using DigitalTwin.Grains.Abstractions.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using DigitalTwin.Contract.Telemetry;

namespace DigitalTwin.Persistence.History;

public sealed class SignalHistoryReader(
    [FromKeyedServices(PersistenceExtensions.DataSourceKey)] NpgsqlDataSource dataSource,
    IOptions<PostgresPersistenceOptions> options) : ISignalHistoryReader
{
    public const int MaxLimit = 100_000;

    // Served by signal_history_vin_signal_ts: an index range scan that stops after the limit.
    private const string QuerySql =
        """
        SELECT ts, value_num, value_bool, value_text
        FROM signal_history
        WHERE vin = $1 AND signal = $2 AND ts >= $3 AND ts < $4
        ORDER BY ts
        LIMIT $5
        """;

    public async Task<IReadOnlyList<SignalHistoryPoint>> QueryAsync(
        string vin,
        string signal,
        DateTimeOffset from,
        DateTimeOffset to,
        int limit,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(vin);
        ArgumentNullException.ThrowIfNull(signal);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxLimit);

        await using var command = dataSource.CreateCommand(QuerySql);
        command.CommandTimeout = (int)Math.Ceiling(options.Value.CommandTimeout.TotalSeconds);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = vin });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = signal });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = from.UtcDateTime });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = to.UtcDateTime });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });

        var points = new List<SignalHistoryPoint>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var ts = new DateTimeOffset(reader.GetFieldValue<DateTime>(0), TimeSpan.Zero);
            var value = !reader.IsDBNull(1) ? SignalValue.FromNumber(reader.GetDouble(1))
                : !reader.IsDBNull(2) ? SignalValue.FromBoolean(reader.GetBoolean(2))
                : SignalValue.FromText(reader.GetString(3));
            points.Add(new SignalHistoryPoint(ts, value));
        }

        return points;
    }
}
