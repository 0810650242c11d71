using System.Data.Common;
using System.Text.Json;
using DigitalTwin.Contract;
using DigitalTwin.Grains.Abstractions.Commands;
using DigitalTwin.Grains.Storage;
using DigitalTwin.Persistence.Documents;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DigitalTwin.Persistence.Commands;

/// <summary>
/// Vehicle commands in <c>commands</c>. A save is one autocommitted upsert, durable when it returns. The whole command
/// goes into <c>document</c>, which is what comes back; <c>state</c> is the silo's state, <c>status</c> the contract's
/// wire status (where <c>superseded</c> reads as <c>expired</c>), and the other typed columns are for plain-SQL readers.
/// A row without a document (written before migration 9, or by another system) is read from the typed columns.
/// </summary>
public sealed partial class PostgresCommandStore : ICommandStore
{
    // The guard on the conflict branch keeps one vehicle's save from taking over another vehicle's command. seq is not
    // touched on update: it keeps the order in which the commands were first queued.
    private const string UpsertSql =
        """
        INSERT INTO commands AS c
            (id, vin, name, params, status, state, reason, created_at, expires_at, updated_at, idempotency_key, document)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
        ON CONFLICT (id) DO UPDATE
        SET name = EXCLUDED.name,
            params = EXCLUDED.params,
            status = EXCLUDED.status,
            state = EXCLUDED.state,
            reason = EXCLUDED.reason,
            created_at = EXCLUDED.created_at,
            expires_at = EXCLUDED.expires_at,
            updated_at = EXCLUDED.updated_at,
            idempotency_key = EXCLUDED.idempotency_key,
            document = EXCLUDED.document
        WHERE c.vin = EXCLUDED.vin
        RETURNING c.id
        """;

    private const string Columns =
        "id, document::text, name, params::text, state, reason, created_at, expires_at, updated_at, idempotency_key";

    // Served by the partial index commands_open_by_vin; its predicate and this one name the states that
    // CommandLifecycle.IsFinal calls not final. Literal, not a parameter, so that the planner can use that index.
    internal const string LoadOpenSql =
        $"""
        SELECT {Columns}
        FROM commands
        WHERE vin = $1 AND state IN ('pending', 'sent', 'accepted')
        ORDER BY created_at, seq
        """;

    private const string GetSql = $"SELECT {Columns} FROM commands WHERE vin = $1 AND id = $2";

    private const string FindByKeySql = $"SELECT {Columns} FROM commands WHERE vin = $1 AND idempotency_key = $2";

    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresPersistenceOptions _options;
    private readonly ILogger _logger;

    public PostgresCommandStore(
        [FromKeyedServices(PersistenceExtensions.DataSourceKey)] NpgsqlDataSource dataSource,
        IOptions<PostgresPersistenceOptions> options,
        ILogger<PostgresCommandStore> logger)
    {
        _dataSource = dataSource;
        _options = options.Value;
        _logger = logger;
    }

    private int CommandTimeoutSeconds => (int)Math.Ceiling(_options.CommandTimeout.TotalSeconds);

    public async ValueTask SaveAsync(string vin, VehicleCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(vin);
        ArgumentNullException.ThrowIfNull(command);
        if (!Enum.IsDefined(command.State))
        {
            throw new ArgumentOutOfRangeException(nameof(command), command.State, "not a command state; nothing was written");
        }

        var state = WireName.Of(command.State);

        await using var statement = _dataSource.CreateCommand(UpsertSql);
        statement.CommandTimeout = CommandTimeoutSeconds;
        statement.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = command.Id });
        statement.Parameters.Add(ColumnValues.Text(vin));
        statement.Parameters.Add(ColumnValues.Text(command.Name));
        statement.Parameters.Add(ColumnValues.Jsonb(ParamsColumn(command.ParamsJson)));
        statement.Parameters.Add(ColumnValues.Text(WireName.Of(command.State.AsContractStatus())));
        statement.Parameters.Add(ColumnValues.Text(state));
        statement.Parameters.Add(ColumnValues.Text(command.Reason));
        statement.Parameters.Add(ColumnValues.Instant(command.CreatedAt));
        statement.Parameters.Add(ColumnValues.Instant(command.ExpiresAt));
        // As the API shows it: a command never updated was last changed when it was created.
        statement.Parameters.Add(ColumnValues.Instant(command.UpdatedAt == default ? command.CreatedAt : command.UpdatedAt));
        statement.Parameters.Add(ColumnValues.Text(command.IdempotencyKey));
        statement.Parameters.Add(ColumnValues.Jsonb(DocumentJson.Serialize(command)));

        if (await statement.ExecuteScalarAsync(cancellationToken) is null)
        {
            LogIdOfAnotherVehicle(_logger, command.Id, vin);
            throw new InvalidOperationException($"Command {command.Id} is stored for another vehicle than {vin}; it was not saved");
        }
    }

    public async ValueTask<IReadOnlyList<VehicleCommand>> LoadOpenAsync(string vin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(vin);
        await using var statement = _dataSource.CreateCommand(LoadOpenSql);
        statement.Parameters.Add(new NpgsqlParameter<string> { TypedValue = vin });
        return await ReadAsync(statement, vin, cancellationToken);
    }

    public async ValueTask<VehicleCommand?> GetAsync(string vin, Guid id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(vin);
        await using var statement = _dataSource.CreateCommand(GetSql);
        statement.Parameters.Add(new NpgsqlParameter<string> { TypedValue = vin });
        statement.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        return (await ReadAsync(statement, vin, cancellationToken)).SingleOrDefault();
    }

    public async ValueTask<VehicleCommand?> FindByIdempotencyKeyAsync(string vin, string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(vin);
        ArgumentNullException.ThrowIfNull(key);
        await using var statement = _dataSource.CreateCommand(FindByKeySql);
        statement.Parameters.Add(new NpgsqlParameter<string> { TypedValue = vin });
        statement.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        return (await ReadAsync(statement, vin, cancellationToken)).SingleOrDefault();
    }

    /// <summary>
    /// The params for the typed column, which must hold a JSON object. The policy writes one; anything else is kept
    /// exactly in the document only, so that the store never refuses what the in-memory store accepts.
    /// </summary>
    private static string ParamsColumn(string? paramsJson)
    {
        if (string.IsNullOrEmpty(paramsJson))
        {
            return "{}";
        }

        try
        {
            using var parsed = JsonDocument.Parse(paramsJson);
            return parsed.RootElement.ValueKind == JsonValueKind.Object ? paramsJson : "{}";
        }
        catch (JsonException)
        {
            return "{}";
        }
    }

    private async Task<List<VehicleCommand>> ReadAsync(NpgsqlCommand statement, string vin, CancellationToken cancellationToken)
    {
        statement.CommandTimeout = CommandTimeoutSeconds;
        var commands = new List<VehicleCommand>();
        await using var reader = await statement.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (ReadRow(reader, vin) is { } command)
            {
                commands.Add(command);
            }
        }

        return commands;
    }

    private VehicleCommand? ReadRow(DbDataReader reader, string vin)
    {
        var id = reader.GetFieldValue<Guid>(0);
        if (!reader.IsDBNull(1))
        {
            try
            {
                return DocumentJson.Deserialize<VehicleCommand>(reader.GetString(1));
            }
            catch (Exception ex) when (ex is JsonException or NotSupportedException or ArgumentException)
            {
                LogUnreadableDocument(_logger, ex, id, vin);
            }
        }

        if (!TryParseState(reader.GetString(4), out var state))
        {
            // The table's constraint allows no other state; only a newer schema could hold one.
            LogUnknownState(_logger, id, vin, reader.GetString(4));
            return null;
        }

        return new VehicleCommand(
            id,
            reader.GetString(2),
            reader.GetString(3),
            reader.GetFieldValue<DateTimeOffset>(6),
            reader.GetFieldValue<DateTimeOffset>(7),
            state,
            reader.IsDBNull(5) ? null : reader.GetString(5))
        {
            UpdatedAt = reader.GetFieldValue<DateTimeOffset>(8),
            IdempotencyKey = reader.IsDBNull(9) ? null : reader.GetString(9),
        };
    }

    private static bool TryParseState(string text, out CommandState state) => WireName.TryParse(text, out state);

    [LoggerMessage(Level = LogLevel.Error, Message = "Command {CommandId} not saved for {Vin}: the id belongs to another vehicle's command")]
    private static partial void LogIdOfAnotherVehicle(ILogger logger, Guid commandId, string vin);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Command {CommandId} of {Vin}: its document cannot be read; using the typed columns")]
    private static partial void LogUnreadableDocument(ILogger logger, Exception exception, Guid commandId, string vin);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Command {CommandId} of {Vin} skipped: unknown state '{State}'")]
    private static partial void LogUnknownState(ILogger logger, Guid commandId, string vin, string state);
}
