using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DigitalTwin.Persistence.History;

/// <summary>
/// <see cref="ISignalHistoryReader"/> on <c>signal_history</c>. Samples are kept with the car's millisecond time, so a
/// range of whole milliseconds maps onto <c>ts</c> exactly. One query returns at most <see cref="MaxLimit"/> points,
/// the API's own ceiling.
/// </summary>
public sealed class SignalHistoryReader(
    [FromKeyedServices(PersistenceExtensions.DataSourceKey)] NpgsqlDataSource dataSource,
    IOptions<PostgresPersistenceOptions> options) : ISignalHistoryReader
{
    public const int MaxLimit = 100_000;

    // The instants a timestamp parameter can hold; a caller's range may reach beyond them (long.MaxValue for "no end").
    private static readonly long MinMs = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    private static readonly long MaxMs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    // Served by signal_history_vin_signal_ts: an index range scan that stops after the limit.
    private const string QuerySql =
        """
        SELECT ts, value_num, value_bool, value_text
        FROM signal_history
        WHERE vin = $1 AND signal = $2 AND ts >= $3 AND ts <= $4
        ORDER BY ts
        LIMIT $5
        """;

    public async ValueTask<IReadOnlyList<HistoryPoint>> QueryAsync(
        string vin,
        string signal,
        long fromMs,
        long toMs,
        int limit,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(vin);
        ArgumentNullException.ThrowIfNull(signal);
        if (limit < 1 || fromMs > toMs || toMs < MinMs || fromMs > MaxMs)
        {
            return [];
        }

        var from = DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(fromMs, MinMs));
        var to = DateTimeOffset.FromUnixTimeMilliseconds(Math.Min(toMs, MaxMs));

        await using var command = dataSource.CreateCommand(QuerySql);
        command.CommandTimeout = (int)Math.Ceiling(options.Value.CommandTimeout.TotalSeconds);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = vin });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = signal });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = from.UtcDateTime });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = to.UtcDateTime });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Math.Min(limit, MaxLimit) });

        var points = new List<HistoryPoint>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var ts = new DateTimeOffset(reader.GetFieldValue<DateTime>(0), TimeSpan.Zero).ToUnixTimeMilliseconds();
            var value = !reader.IsDBNull(1) ? SignalValue.FromNumber(reader.GetDouble(1))
                : !reader.IsDBNull(2) ? SignalValue.FromBoolean(reader.GetBoolean(2))
                : SignalValue.FromText(reader.GetString(3));
            points.Add(new HistoryPoint(ts, value));
        }

        return points;
    }
}
