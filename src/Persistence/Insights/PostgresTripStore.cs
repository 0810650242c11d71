using System.Text.Json;
using DigitalTwin.Grains.Abstractions.Insights;
using DigitalTwin.Grains.Insights;
using DigitalTwin.Grains.Storage;
using DigitalTwin.Persistence.Documents;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DigitalTwin.Persistence.Insights;

/// <summary>
/// Trips in <c>trips</c>, charging sessions in <c>charging_sessions</c>, open ones in <c>insight_progress</c>. Every
/// write is one autocommitted statement, durable when it returns; a trip or session is inserted once
/// (<c>ON CONFLICT DO NOTHING</c>), so a replay cannot store a second copy.
/// </summary>
public sealed partial class PostgresTripStore(
    [FromKeyedServices(PersistenceExtensions.DataSourceKey)] NpgsqlDataSource dataSource,
    IOptions<PostgresPersistenceOptions> options,
    ILogger<PostgresTripStore> logger) : ITripStore
{
    private const string InsertTripSql =
        """
        INSERT INTO trips
            (id, vin, started_at, ended_at, start_latitude, start_longitude, end_latitude, end_longitude, distance_km,
             distance_source, duration_seconds, max_speed_kmh, mean_speed_kmh, energy_kwh, fuel_litres, co2_grams,
             driving_score, eco_score, harsh_braking, harsh_acceleration, harsh_cornering, adas_interventions,
             speeding_seconds, end_reason, document)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)
        ON CONFLICT (id) DO NOTHING
        """;

    internal const string ListTripsSql =
        """
        SELECT id, document::text
        FROM trips
        WHERE vin = $1 AND started_at >= $2 AND started_at < $3
        ORDER BY started_at DESC
        LIMIT $4
        """;

    // The same weighting as ScoreCard: by distance, at least 0.1 km per trip.
    internal const string AggregateSql =
        """
        SELECT vin,
               count(*)::int,
               sum(distance_km),
               sum(eco_score * greatest(distance_km, 0.1)) / sum(greatest(distance_km, 0.1)),
               sum(driving_score * greatest(distance_km, 0.1)) / sum(greatest(distance_km, 0.1)),
               sum(co2_grams),
               max(ended_at)
        FROM trips
        WHERE ended_at >= $1 AND ended_at < $2
        GROUP BY vin
        """;

    private const string InsertSessionSql =
        """
        INSERT INTO charging_sessions
            (id, vin, started_at, ended_at, start_soc_percent, end_soc_percent, energy_added_kwh, charge_limit_percent,
             limit_reached, end_reason, document)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
        ON CONFLICT (id) DO NOTHING
        """;

    internal const string ListSessionsSql =
        """
        SELECT id, document::text
        FROM charging_sessions
        WHERE vin = $1 AND started_at >= $2 AND started_at < $3
        ORDER BY started_at DESC
        LIMIT $4
        """;

    private const string LoadProgressSql = "SELECT document::text FROM insight_progress WHERE vin = $1";

    private const string SaveProgressSql =
        """
        INSERT INTO insight_progress (vin, document, updated_at) VALUES ($1, $2, now())
        ON CONFLICT (vin) DO UPDATE SET document = EXCLUDED.document, updated_at = EXCLUDED.updated_at
        """;

    private const string DeleteProgressSql = "DELETE FROM insight_progress WHERE vin = $1";

    private int CommandTimeoutSeconds => (int)Math.Ceiling(options.Value.CommandTimeout.TotalSeconds);

    public async ValueTask<bool> AddTripAsync(Trip trip, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trip);
        await using var command = Command(InsertTripSql);
        command.Parameters.Add(ColumnValues.Text(trip.Id));
        command.Parameters.Add(ColumnValues.Text(trip.Vin));
        command.Parameters.Add(ColumnValues.Instant(trip.StartedAt));
        command.Parameters.Add(ColumnValues.Instant(trip.EndedAt));
        command.Parameters.Add(ColumnValues.Double(trip.StartPosition?.Latitude));
        command.Parameters.Add(ColumnValues.Double(trip.StartPosition?.Longitude));
        command.Parameters.Add(ColumnValues.Double(trip.EndPosition?.Latitude));
        command.Parameters.Add(ColumnValues.Double(trip.EndPosition?.Longitude));
        command.Parameters.Add(ColumnValues.Double(trip.DistanceKm));
        command.Parameters.Add(ColumnValues.Text(trip.DistanceSource));
        command.Parameters.Add(ColumnValues.Double(trip.DurationSeconds));
        command.Parameters.Add(ColumnValues.Double(trip.MaxSpeedKmh));
        command.Parameters.Add(ColumnValues.Double(trip.MeanSpeedKmh));
        command.Parameters.Add(ColumnValues.Double(trip.EnergyKwh));
        command.Parameters.Add(ColumnValues.Double(trip.FuelLitres));
        command.Parameters.Add(ColumnValues.Double(trip.Co2Grams));
        command.Parameters.Add(ColumnValues.Double(trip.DrivingScore));
        command.Parameters.Add(ColumnValues.Double(trip.EcoScore));
        command.Parameters.Add(ColumnValues.Integer(trip.Counts.HarshBraking));
        command.Parameters.Add(ColumnValues.Integer(trip.Counts.HarshAcceleration));
        command.Parameters.Add(ColumnValues.Integer(trip.Counts.HarshCornering));
        command.Parameters.Add(ColumnValues.Integer(trip.Counts.AdasInterventions));
        command.Parameters.Add(ColumnValues.Double(trip.Counts.SpeedingSeconds));
        command.Parameters.Add(ColumnValues.Text(trip.EndReason));
        command.Parameters.Add(ColumnValues.Jsonb(DocumentJson.Serialize(trip)));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public ValueTask<IReadOnlyList<Trip>> ListTripsAsync(string vin, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken) =>
        ListAsync<Trip>(ListTripsSql, vin, from, to, limit, cancellationToken);

    public async ValueTask<IReadOnlyList<LeaderboardEntry>> AggregateAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var command = Command(AggregateSql);
        command.Parameters.Add(ColumnValues.Instant(from));
        command.Parameters.Add(ColumnValues.Instant(to));
        var entries = new List<LeaderboardEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new LeaderboardEntry(
                reader.GetString(0),
                reader.GetInt32(1),
                reader.GetDouble(2),
                reader.GetDouble(3),
                reader.GetDouble(4),
                reader.IsDBNull(5) ? null : reader.GetDouble(5),
                new DateTimeOffset(reader.GetDateTime(6), TimeSpan.Zero)));
        }

        return entries;
    }

    public async ValueTask<bool> AddChargingSessionAsync(ChargingSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        await using var command = Command(InsertSessionSql);
        command.Parameters.Add(ColumnValues.Text(session.Id));
        command.Parameters.Add(ColumnValues.Text(session.Vin));
        command.Parameters.Add(ColumnValues.Instant(session.StartedAt));
        command.Parameters.Add(ColumnValues.Instant(session.EndedAt));
        command.Parameters.Add(ColumnValues.Double(session.StartSocPercent));
        command.Parameters.Add(ColumnValues.Double(session.EndSocPercent));
        command.Parameters.Add(ColumnValues.Double(session.EnergyAddedKwh));
        command.Parameters.Add(ColumnValues.Double(session.ChargeLimitPercent));
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = session.LimitReached });
        command.Parameters.Add(ColumnValues.Text(session.EndReason));
        command.Parameters.Add(ColumnValues.Jsonb(DocumentJson.Serialize(session)));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public ValueTask<IReadOnlyList<ChargingSession>> ListChargingSessionsAsync(string vin, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken) =>
        ListAsync<ChargingSession>(ListSessionsSql, vin, from, to, limit, cancellationToken);

    public async ValueTask<InsightsProgress?> LoadProgressAsync(string vin, CancellationToken cancellationToken)
    {
        await using var command = Command(LoadProgressSql);
        command.Parameters.Add(ColumnValues.Text(vin));
        if (await command.ExecuteScalarAsync(cancellationToken) is not string json)
        {
            return null;
        }

        try
        {
            return InsightsProgress.FromJson(json);
        }
        catch (JsonException ex)
        {
            // An unreadable checkpoint costs the open trip, not the twin.
            LogUnreadable(logger, ex, "insight_progress", vin, vin);
            return null;
        }
    }

    public async ValueTask SaveProgressAsync(string vin, InsightsProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        await using var command = Command(progress.IsEmpty ? DeleteProgressSql : SaveProgressSql);
        command.Parameters.Add(ColumnValues.Text(vin));
        if (!progress.IsEmpty)
        {
            command.Parameters.Add(ColumnValues.Jsonb(progress.ToJson()));
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async ValueTask<IReadOnlyList<T>> ListAsync<T>(string sql, string vin, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
    {
        if (limit < 1)
        {
            return [];
        }

        await using var command = Command(sql);
        command.Parameters.Add(ColumnValues.Text(vin));
        command.Parameters.Add(ColumnValues.Instant(from));
        command.Parameters.Add(ColumnValues.Instant(to));
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var items = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            try
            {
                items.Add(DocumentJson.Deserialize<T>(reader.GetString(1)));
            }
            catch (Exception ex) when (ex is JsonException or NotSupportedException or ArgumentException)
            {
                // Someone else's writing: one unreadable row must not hide the vehicle's others.
                LogUnreadable(logger, ex, typeof(T).Name, reader.GetString(0), vin);
            }
        }

        return items;
    }

    private NpgsqlCommand Command(string sql)
    {
        var command = dataSource.CreateCommand(sql);
        command.CommandTimeout = CommandTimeoutSeconds;
        return command;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Kind} {Id} of {Vin} skipped: its document cannot be read")]
    private static partial void LogUnreadable(ILogger logger, Exception exception, string kind, string id, string vin);
}
