using DigitalTwin.Grains.Ownership;
using DigitalTwin.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DigitalTwin.Persistence.Ownership;

/// <summary>
/// Vehicle ownership in <c>vehicle_owners</c>, shared by every silo. A registration is one
/// <c>INSERT ... ON CONFLICT DO NOTHING</c>: when two silos register the same VIN at once, PostgreSQL lets exactly one
/// insert win; the other reads the winner back and reports <see cref="RegistrationOutcome.Unchanged"/> or
/// <see cref="RegistrationOutcome.Conflict"/>.
/// </summary>
public sealed partial class PostgresVehicleRegistry : IVehicleRegistry
{
    private const string GetOwnerSql = "SELECT owner_id FROM vehicle_owners WHERE vin = $1";

    private const string InsertSql =
        """
        INSERT INTO vehicle_owners (vin, owner_id, registered_at)
        VALUES ($1, $2, $3)
        ON CONFLICT (vin) DO NOTHING
        RETURNING owner_id, registered_at
        """;

    // A statement of its own, not a CTE with the insert: under READ COMMITTED every statement takes a new snapshot, so
    // this one sees the row of a concurrent registration that made the insert above do nothing. A CTE would share the
    // insert's older snapshot and could find no row at all.
    private const string ReadSql = "SELECT owner_id, registered_at FROM vehicle_owners WHERE vin = $1";

    // Four fixed statements rather than "$1 IS NULL OR ...", so that each gets a plan that walks the right index
    // (vehicle_owners_pk or vehicle_owners_owner_vin) and stops after the page. VINs are 17 characters of
    // [A-HJ-NPR-Z0-9] (vehicle_owners_vin_format), which every collation orders like the ordinal comparison of the
    // in-memory registry, so the indexes' collation serves.
    private const string ListAllSql =
        "SELECT vin, owner_id, registered_at FROM vehicle_owners ORDER BY vin LIMIT $1";

    private const string ListAllAfterSql =
        "SELECT vin, owner_id, registered_at FROM vehicle_owners WHERE vin > $2 ORDER BY vin LIMIT $1";

    private const string ListOwnerSql =
        "SELECT vin, owner_id, registered_at FROM vehicle_owners WHERE owner_id = $2 ORDER BY vin LIMIT $1";

    private const string ListOwnerAfterSql =
        "SELECT vin, owner_id, registered_at FROM vehicle_owners WHERE owner_id = $2 AND vin > $3 ORDER BY vin LIMIT $1";

    // The read after a lost insert finds nothing only if the row was deleted in between; that cannot repeat for long.
    private const int MaxRegistrationAttempts = 5;

    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresPersistenceOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public PostgresVehicleRegistry(
        [FromKeyedServices(PersistenceExtensions.DataSourceKey)] NpgsqlDataSource dataSource,
        IOptions<PostgresPersistenceOptions> options,
        ILogger<PostgresVehicleRegistry> logger,
        TimeProvider? timeProvider = null)
    {
        _dataSource = dataSource;
        _options = options.Value;
        _logger = logger;
        _time = timeProvider ?? TimeProvider.System;
    }

    private int CommandTimeoutSeconds => (int)Math.Ceiling(_options.CommandTimeout.TotalSeconds);

    public async ValueTask<string?> GetOwnerAsync(string vin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(vin);
        await using var command = _dataSource.CreateCommand(GetOwnerSql);
        command.CommandTimeout = CommandTimeoutSeconds;
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = vin });
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public async ValueTask<(RegistrationOutcome Outcome, VehicleRegistration Registration)> RegisterAsync(
        string vin,
        string ownerId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(vin);
        ArgumentNullException.ThrowIfNull(ownerId);
        for (var attempt = 1; attempt <= MaxRegistrationAttempts; attempt++)
        {
            if (await InsertAsync(vin, ownerId, cancellationToken) is { } created)
            {
                LogRegistered(_logger, vin);
                return (RegistrationOutcome.Created, created);
            }

            if (await ReadAsync(vin, cancellationToken) is { } existing)
            {
                if (string.Equals(existing.OwnerId, ownerId, StringComparison.Ordinal))
                {
                    return (RegistrationOutcome.Unchanged, existing);
                }

                LogConflict(_logger, vin);
                return (RegistrationOutcome.Conflict, existing);
            }

            LogDeletedMeanwhile(_logger, vin, attempt);
        }

        throw new InvalidOperationException(
            $"Registering {vin} did not settle: its row was deleted between insert and read {MaxRegistrationAttempts} times");
    }

    public async ValueTask<RegistrationPage> ListAsync(string? ownerId, string? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var sql = (ownerId, after) switch
        {
            (null, null) => ListAllSql,
            (null, _) => ListAllAfterSql,
            (_, null) => ListOwnerSql,
            _ => ListOwnerAfterSql,
        };

        await using var command = _dataSource.CreateCommand(sql);
        command.CommandTimeout = CommandTimeoutSeconds;
        // One row more than the page tells whether another page follows.
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = limit + 1L });
        if (ownerId is not null)
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ownerId });
        }

        if (after is not null)
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = after });
        }

        var items = new List<VehicleRegistration>(Math.Min(limit + 1, 1024));
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(new VehicleRegistration(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2)));
            }
        }

        if (items.Count <= limit)
        {
            return new RegistrationPage(items, null);
        }

        items.RemoveAt(limit);
        return new RegistrationPage(items, items[^1].Vin);
    }

    private async Task<VehicleRegistration?> InsertAsync(string vin, string ownerId, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(InsertSql);
        command.CommandTimeout = CommandTimeoutSeconds;
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = vin });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ownerId });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = _time.GetUtcNow().UtcDateTime });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        // RETURNING gives the time as stored (microseconds), so a later Unchanged reports the same instant.
        return await reader.ReadAsync(cancellationToken)
            ? new VehicleRegistration(vin, reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1))
            : null;
    }

    private async Task<VehicleRegistration?> ReadAsync(string vin, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(ReadSql);
        command.CommandTimeout = CommandTimeoutSeconds;
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = vin });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new VehicleRegistration(vin, reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1))
            : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Vehicle {Vin} registered")]
    private static partial void LogRegistered(ILogger logger, string vin);

    // The owner ids are people's subject claims; the VIN is enough to find the rows.
    [LoggerMessage(Level = LogLevel.Information, Message = "Registration of {Vin} refused: it is registered to another owner")]
    private static partial void LogConflict(ILogger logger, string vin);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Registration of {Vin} lost its insert to a row that was deleted before it could be read (attempt {Attempt}); retrying")]
    private static partial void LogDeletedMeanwhile(ILogger logger, string vin, int attempt);
}
