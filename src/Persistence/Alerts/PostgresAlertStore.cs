using System.Text.Json;
using DigitalTwin.Contract;
using DigitalTwin.Grains.Abstractions.Crash;
using DigitalTwin.Grains.Storage;
using DigitalTwin.Persistence.Documents;
using DigitalTwin.Persistence.WriteBehind;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DigitalTwin.Persistence.Alerts;

/// <summary>
/// Crash alerts in <c>alerts</c>. A save is one autocommitted upsert, so it is durable when it returns: the alert is
/// stored before anyone hears of it. The whole alert goes into <c>document</c>, which is what comes back; the typed
/// columns carry the contract's fields for plain-SQL readers.
/// </summary>
public sealed partial class PostgresAlertStore : IAlertStore
{
    // The guard on the conflict branch keeps one vehicle's save from taking over another vehicle's alert; RETURNING
    // tells whether the row was written.
    private const string UpsertSql =
        """
        INSERT INTO alerts AS a
            (id, vin, type, severity, raised_at, trigger, latitude, longitude, heading, occupants, acknowledged_at,
             status, updated_at, occurred_at, document)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
        ON CONFLICT (id) DO UPDATE
        SET type = EXCLUDED.type,
            severity = EXCLUDED.severity,
            raised_at = EXCLUDED.raised_at,
            trigger = EXCLUDED.trigger,
            latitude = EXCLUDED.latitude,
            longitude = EXCLUDED.longitude,
            heading = EXCLUDED.heading,
            occupants = EXCLUDED.occupants,
            acknowledged_at = EXCLUDED.acknowledged_at,
            status = EXCLUDED.status,
            updated_at = EXCLUDED.updated_at,
            occurred_at = EXCLUDED.occurred_at,
            document = EXCLUDED.document
        WHERE a.vin = EXCLUDED.vin
        RETURNING a.id
        """;

    // Served by alerts_vin_occurred_at. Rows without a document were not written by a silo (or predate migration 9)
    // and cannot be read back as a CrashAlert.
    internal const string GetSql =
        """
        SELECT document::text
        FROM alerts
        WHERE vin = $1 AND id = $2 AND document IS NOT NULL
        """;

    internal const string ListSql =
        """
        SELECT id, document::text
        FROM alerts
        WHERE vin = $1 AND type = $2 AND document IS NOT NULL
        ORDER BY occurred_at DESC, id COLLATE "C" DESC
        LIMIT $3
        """;

    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresPersistenceOptions _options;
    private readonly ILogger _logger;
    private readonly BulkWriteGate? _gate;

    /// <param name="gate">Told of every save, so that no bulk write starts while an alert is being stored.</param>
    public PostgresAlertStore(
        [FromKeyedServices(PersistenceExtensions.DataSourceKey)] NpgsqlDataSource dataSource,
        IOptions<PostgresPersistenceOptions> options,
        ILogger<PostgresAlertStore> logger,
        BulkWriteGate? gate = null)
    {
        _dataSource = dataSource;
        _options = options.Value;
        _logger = logger;
        _gate = gate;
    }

    private int CommandTimeoutSeconds => (int)Math.Ceiling(_options.CommandTimeout.TotalSeconds);

    /// <summary>
    /// Writes and reads <paramref name="sample"/>'s document without touching the database, so that the serializer
    /// builds its metadata for alerts at start-up rather than while the first crash waits for its save.
    /// </summary>
    public static void WarmUp(CrashAlert sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        _ = DocumentJson.Deserialize<CrashAlert>(DocumentJson.Serialize(sample));
        _ = WireName.Of(sample.Incident.Severity);
        _ = WireName.Of(sample.Incident.Trigger);
        _ = WireName.Of(sample.Status);
    }

    public async ValueTask SaveAsync(CrashAlert alert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(alert.Incident);
        var incident = alert.Incident;
        var position = incident.Position;

        using var urgent = _gate?.EnterUrgent();
        await using var command = _dataSource.CreateCommand(UpsertSql);
        command.CommandTimeout = CommandTimeoutSeconds;
        command.Parameters.Add(ColumnValues.Text(alert.Id));
        command.Parameters.Add(ColumnValues.Text(alert.Vin));
        command.Parameters.Add(ColumnValues.Text(alert.Type));
        command.Parameters.Add(ColumnValues.Text(WireName.Of(incident.Severity)));
        command.Parameters.Add(ColumnValues.Instant(alert.RaisedAt));
        command.Parameters.Add(ColumnValues.Text(incident.Trigger == CrashTrigger.None ? null : WireName.Of(incident.Trigger)));
        command.Parameters.Add(ColumnValues.Double(position?.Latitude));
        command.Parameters.Add(ColumnValues.Double(position?.Longitude));
        command.Parameters.Add(ColumnValues.Double(position?.Heading));
        command.Parameters.Add(ColumnValues.Integer(incident.Occupants));
        command.Parameters.Add(ColumnValues.Instant(alert.AcknowledgedAt));
        command.Parameters.Add(ColumnValues.Text(WireName.Of(alert.Status)));
        command.Parameters.Add(ColumnValues.Instant(alert.UpdatedAt));
        command.Parameters.Add(ColumnValues.Instant(incident.OccurredAt));
        command.Parameters.Add(ColumnValues.Jsonb(DocumentJson.Serialize(alert)));

        var written = await command.ExecuteScalarAsync(cancellationToken);
        if (written is null)
        {
            LogIdOfAnotherVehicle(_logger, alert.Id, alert.Vin);
            throw new InvalidOperationException($"Alert {alert.Id} is stored for another vehicle than {alert.Vin}; it was not saved");
        }
    }

    public async ValueTask<CrashAlert?> GetAsync(string vin, string alertId, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(GetSql);
        command.CommandTimeout = CommandTimeoutSeconds;
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = vin });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = alertId });
        return await command.ExecuteScalarAsync(cancellationToken) is string document
            ? DocumentJson.Deserialize<CrashAlert>(document)
            : null;
    }

    public async ValueTask<IReadOnlyList<CrashAlert>> ListAsync(string vin, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(vin);
        if (limit < 1)
        {
            return [];
        }

        await using var command = _dataSource.CreateCommand(ListSql);
        command.CommandTimeout = CommandTimeoutSeconds;
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = vin });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = CrashAlert.AlertType });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });

        var alerts = new List<CrashAlert>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetString(0);
            try
            {
                alerts.Add(DocumentJson.Deserialize<CrashAlert>(reader.GetString(1)));
            }
            catch (Exception ex) when (ex is JsonException or NotSupportedException or ArgumentException)
            {
                // Someone else's writing: one unreadable row must not hide the vehicle's other alerts.
                LogUnreadable(_logger, ex, id, vin);
            }
        }

        return alerts;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Alert {AlertId} not saved for {Vin}: the id belongs to another vehicle's alert")]
    private static partial void LogIdOfAnotherVehicle(ILogger logger, string alertId, string vin);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {AlertId} of {Vin} skipped: its document cannot be read as a crash alert")]
    private static partial void LogUnreadable(ILogger logger, Exception exception, string alertId, string vin);
}
