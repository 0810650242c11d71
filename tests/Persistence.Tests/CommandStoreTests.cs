using DigitalTwin.Contract.Commands;
using DigitalTwin.Grains.Abstractions.Commands;
using DigitalTwin.Grains.Commands;
using DigitalTwin.Persistence.Commands;
using DigitalTwin.Persistence.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DigitalTwin.Persistence.Tests;

[Collection(PostgresCollection.Name)]
public sealed class CommandStoreTests(PostgresFixture postgres) : IAsyncLifetime
{
    // An offset and sub-microsecond ticks: only the document brings them back exactly.
    private static readonly DateTimeOffset CreatedAt = new DateTimeOffset(2026, 1, 15, 7, 30, 0, 250, TimeSpan.FromHours(1)).AddTicks(5678);

    // Spacing and key order as the policy happened to write them; jsonb would normalise both.
    private const string ParamsJson = """{"targetTemperature" : 21.5,"zones":["driver", "passenger"] ,"at":"2026-01-15T06:45:00Z"}""";

    // The contract's statuses, written out here rather than taken from the code under test.
    private static readonly Dictionary<CommandState, (string State, string Status)> Columns = new()
    {
        [CommandState.Pending] = ("pending", "pending"),
        [CommandState.Sent] = ("sent", "sent"),
        [CommandState.Accepted] = ("accepted", "accepted"),
        [CommandState.Completed] = ("completed", "completed"),
        [CommandState.Rejected] = ("rejected", "rejected"),
        [CommandState.Failed] = ("failed", "failed"),
        [CommandState.Expired] = ("expired", "expired"),
        [CommandState.Superseded] = ("superseded", "expired"),
    };

    private string _connectionString = null!;

    public async Task InitializeAsync() => _connectionString = await postgres.DatabaseForClassAsync(GetType());

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Every_state_round_trips_exactly_with_the_wire_status_in_the_status_column()
    {
        await using var harness = Harness.Create(_connectionString);
        var store = Store(harness);
        var vin = TestVins.Next();

        Assert.Equal(Enum.GetValues<CommandState>().Order(), Columns.Keys.Order());
        foreach (var state in Enum.GetValues<CommandState>())
        {
            var command = Command(state, CreatedAt, key: $"key-{state}") with { Reason = $"because {state}" };
            await store.SaveAsync(vin, command, CancellationToken.None);

            var loaded = await store.GetAsync(vin, command.Id, CancellationToken.None);

            Assert.Equal(command, loaded);
            AssertSameInstants(command, loaded!);
            Assert.Equal(ParamsJson, loaded!.ParamsJson);
            Assert.Equal(Columns[state].State, await Column<string>("state", command.Id));
            Assert.Equal(Columns[state].Status, await Column<string>("status", command.Id));
            Assert.Equal($"key-{state}", await Column<string>("idempotency_key", command.Id));
            Assert.Equal($"because {state}", await Column<string>("reason", command.Id));
        }

        Assert.Equal("expired", await Sql.ScalarAsync<string>(
            _connectionString, "SELECT status FROM commands WHERE vin = $1 AND state = 'superseded'", vin));
    }

    [Fact]
    public async Task The_typed_columns_carry_the_command_for_plain_sql_readers()
    {
        await using var harness = Harness.Create(_connectionString);
        var store = Store(harness);
        var vin = TestVins.Next();
        var command = Command(CommandState.Sent, CreatedAt) with { UpdatedAt = CreatedAt.AddSeconds(3) };
        var neverUpdated = Command(CommandState.Pending, CreatedAt);

        await store.SaveAsync(vin, command, CancellationToken.None);
        await store.SaveAsync(vin, neverUpdated, CancellationToken.None);

        Assert.Equal(vin, await Column<string>("vin", command.Id));
        Assert.Equal(CommandNames.HvacPrecondition, await Column<string>("name", command.Id));
        Assert.Equal(21.5, await Column<double>("(params ->> 'targetTemperature')::float8", command.Id));
        Assert.Equal("passenger", await Column<string>("params -> 'zones' ->> 1", command.Id));
        Assert.Equal(Microseconds(command.CreatedAt), await Column<DateTime>("created_at", command.Id));
        Assert.Equal(Microseconds(command.ExpiresAt), await Column<DateTime>("expires_at", command.Id));
        Assert.Equal(Microseconds(command.UpdatedAt), await Column<DateTime>("updated_at", command.Id));
        // As the API shows it: never updated means updated when created.
        Assert.Equal(Microseconds(CreatedAt), await Column<DateTime>("updated_at", neverUpdated.Id));
        Assert.Equal(default(DateTimeOffset), (await store.GetAsync(vin, neverUpdated.Id, CancellationToken.None))!.UpdatedAt);
        Assert.Equal("sent", await Column<string>("document ->> 'state'", command.Id));
    }

    [Fact]
    public async Task Saving_again_updates_the_command_in_place_and_keeps_its_place_in_the_queue()
    {
        await using var harness = Harness.Create(_connectionString);
        var store = Store(harness);
        var vin = TestVins.Next();
        var first = Command(CommandState.Pending, CreatedAt);
        var second = Command(CommandState.Pending, CreatedAt);
        await store.SaveAsync(vin, first, CancellationToken.None);
        await store.SaveAsync(vin, second, CancellationToken.None);

        var sent = first with { State = CommandState.Sent, UpdatedAt = CreatedAt.AddSeconds(1) };
        var accepted = sent with { State = CommandState.Accepted, Reason = "on it", UpdatedAt = CreatedAt.AddSeconds(2) };
        await store.SaveAsync(vin, sent, CancellationToken.None);
        await store.SaveAsync(vin, accepted, CancellationToken.None);

        Assert.Equal(accepted, await store.GetAsync(vin, first.Id, CancellationToken.None));
        Assert.Equal([accepted, second], await store.LoadOpenAsync(vin, CancellationToken.None));
        Assert.Equal(2L, await Sql.ScalarAsync<long>(_connectionString, "SELECT count(*) FROM commands WHERE vin = $1", vin));
    }

    [Fact]
    public async Task Loading_open_commands_returns_the_unfinished_ones_of_the_vehicle_oldest_first()
    {
        await using var harness = Harness.Create(_connectionString);
        var store = Store(harness);
        var (vin, other) = (TestVins.Next(), TestVins.Next());
        // The states the SQL and its index name as open are exactly those the lifecycle calls not final.
        Assert.Equal(
            [CommandState.Pending, CommandState.Sent, CommandState.Accepted],
            Enum.GetValues<CommandState>().Where(s => !CommandLifecycle.IsFinal(s)));

        var saved = new List<VehicleCommand>();
        var minute = 0;
        foreach (var state in Enum.GetValues<CommandState>().Reverse())
        {
            // Created in the opposite order to the one they are saved in.
            saved.Add(Command(state, CreatedAt.AddMinutes(-minute++)));
        }

        // Two created at the same instant keep the order in which they were queued, although their ids sort the
        // other way round.
        var ids = new[] { Guid.NewGuid(), Guid.NewGuid() }.OrderByDescending(g => g.ToString(), StringComparer.Ordinal).ToArray();
        var sameInstantFirst = Command(CommandState.Pending, CreatedAt.AddMinutes(-3)) with { Id = ids[0] };
        var sameInstantSecond = Command(CommandState.Pending, CreatedAt.AddMinutes(-3)) with { Id = ids[1] };
        saved.Add(sameInstantFirst);
        saved.Add(sameInstantSecond);
        foreach (var command in saved)
        {
            await store.SaveAsync(vin, command, CancellationToken.None);
        }

        await store.SaveAsync(other, Command(CommandState.Pending, CreatedAt.AddHours(-1)), CancellationToken.None);

        var open = await store.LoadOpenAsync(vin, CancellationToken.None);

        var expected = saved.Where(c => c.State is CommandState.Pending or CommandState.Sent or CommandState.Accepted).ToList();
        Assert.Equal(5, expected.Count);
        // Saved newest first: pending (-7 min), sent (-6), accepted (-5), then the two of -3 min.
        Assert.Equal([expected[2], expected[1], expected[0], sameInstantFirst, sameInstantSecond], open);
        Assert.Equal([CommandState.Pending, CommandState.Sent, CommandState.Accepted, CommandState.Pending, CommandState.Pending], open.Select(c => c.State));
        Assert.Empty(await store.LoadOpenAsync(TestVins.Next(), CancellationToken.None));
    }

    [Fact]
    public async Task An_idempotency_key_is_looked_up_within_its_vehicle_and_used_once_per_vehicle()
    {
        await using var harness = Harness.Create(_connectionString);
        var store = Store(harness);
        var (vin, other) = (TestVins.Next(), TestVins.Next());
        var key = $"retry-{Guid.NewGuid():N}";
        var mine = Command(CommandState.Completed, CreatedAt, key);
        var theirs = Command(CommandState.Pending, CreatedAt, key);
        await store.SaveAsync(vin, mine, CancellationToken.None);
        // Another vehicle may use the same key.
        await store.SaveAsync(other, theirs, CancellationToken.None);

        Assert.Equal(mine, await store.FindByIdempotencyKeyAsync(vin, key, CancellationToken.None));
        Assert.Equal(theirs, await store.FindByIdempotencyKeyAsync(other, key, CancellationToken.None));
        Assert.Null(await store.FindByIdempotencyKeyAsync(TestVins.Next(), key, CancellationToken.None));
        Assert.Null(await store.FindByIdempotencyKeyAsync(vin, key + "-other", CancellationToken.None));

        // The same vehicle cannot hold two commands under one key.
        var duplicate = await Assert.ThrowsAsync<PostgresException>(
            () => store.SaveAsync(vin, Command(CommandState.Pending, CreatedAt, key), CancellationToken.None).AsTask());
        Assert.Equal(PostgresErrorCodes.UniqueViolation, duplicate.SqlState);
        Assert.Equal(mine, await store.FindByIdempotencyKeyAsync(vin, key, CancellationToken.None));
    }

    [Fact]
    public async Task A_command_is_never_returned_for_nor_overwritten_by_another_vehicle()
    {
        await using var harness = Harness.Create(_connectionString);
        var store = Store(harness);
        var (vin, other) = (TestVins.Next(), TestVins.Next());
        var command = Command(CommandState.Pending, CreatedAt, key: "shared-key");
        await store.SaveAsync(vin, command, CancellationToken.None);

        Assert.Null(await store.GetAsync(other, command.Id, CancellationToken.None));
        Assert.Null(await store.FindByIdempotencyKeyAsync(other, "shared-key", CancellationToken.None));
        Assert.Empty(await store.LoadOpenAsync(other, CancellationToken.None));

        var hijack = command with { Name = CommandNames.DoorsUnlock, State = CommandState.Sent };
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.SaveAsync(other, hijack, CancellationToken.None).AsTask());

        Assert.Equal(command, await store.GetAsync(vin, command.Id, CancellationToken.None));
        Assert.Null(await store.GetAsync(other, command.Id, CancellationToken.None));
        Assert.Equal(vin, await Column<string>("vin", command.Id));
    }

    [Fact]
    public async Task A_state_outside_the_enum_is_refused_before_anything_is_written()
    {
        await using var harness = Harness.Create(_connectionString);
        var store = Store(harness);
        var vin = TestVins.Next();
        var command = Command((CommandState)42, CreatedAt);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.SaveAsync(vin, command, CancellationToken.None).AsTask());

        Assert.Equal(0L, await Sql.ScalarAsync<long>(_connectionString, "SELECT count(*) FROM commands WHERE vin = $1", vin));
    }

    [Fact]
    public async Task A_row_without_a_document_is_read_from_its_typed_columns()
    {
        await using var harness = Harness.Create(_connectionString);
        var store = Store(harness);
        var vin = TestVins.Next();
        var (open, superseded) = (Guid.NewGuid(), Guid.NewGuid());
        var at = new DateTime(2026, 1, 15, 6, 30, 0, DateTimeKind.Utc);
        // Another system's rows, as migrations 5 and 9 shaped the table.
        const string insert =
            """
            INSERT INTO commands (id, vin, name, params, status, state, reason, created_at, expires_at, updated_at, idempotency_key)
            VALUES ($1, $2, 'doors.lock', '{"a": 1}', $3, $4, $5, $6, $7, $8, $9)
            """;
        await Sql.ExecuteAsync(_connectionString, insert, open, vin, "sent", "sent", DBNull.Value, at, at.AddMinutes(5), at.AddMinutes(1), "legacy-key");
        await Sql.ExecuteAsync(_connectionString, insert, superseded, vin, "expired", "superseded", "replaced", at.AddSeconds(-1), at.AddMinutes(5), at, DBNull.Value);

        var expectedOpen = new VehicleCommand(open, "doors.lock", """{"a": 1}""", at, at.AddMinutes(5), CommandState.Sent)
        {
            UpdatedAt = at.AddMinutes(1),
            IdempotencyKey = "legacy-key",
        };
        Assert.Equal(expectedOpen, await store.GetAsync(vin, open, CancellationToken.None));
        Assert.Equal([expectedOpen], await store.LoadOpenAsync(vin, CancellationToken.None));
        Assert.Equal(expectedOpen, await store.FindByIdempotencyKeyAsync(vin, "legacy-key", CancellationToken.None));
        var loaded = await store.GetAsync(vin, superseded, CancellationToken.None);
        Assert.Equal(CommandState.Superseded, loaded!.State);
        Assert.Equal("replaced", loaded.Reason);
    }

    [Fact]
    public async Task Hostile_strings_round_trip_as_data()
    {
        await using var harness = Harness.Create(_connectionString);
        var store = Store(harness);
        var vin = TestVins.Next();
        const string hostile = "'); DROP TABLE commands; -- \" \\ \\u0041 $1 %s {0} \t\r\n Ä车🚗 é\u0301 \u200B";
        var command = Command(CommandState.Rejected, CreatedAt, key: hostile) with
        {
            Name = hostile,
            Reason = string.Concat(Enumerable.Repeat(hostile, 5_000)),
            ParamsJson = """{"note":"'); DROP TABLE commands; -- \"\\ Ä车🚗","$1":[null,true,-0.5e-3]}""",
        };

        await store.SaveAsync(vin, command, CancellationToken.None);

        Assert.Equal(command, await store.GetAsync(vin, command.Id, CancellationToken.None));
        Assert.Equal(command, await store.FindByIdempotencyKeyAsync(vin, hostile, CancellationToken.None));
        Assert.Equal("'); DROP TABLE commands; -- \"\\ Ä车🚗", await Column<string>("params ->> 'note'", command.Id));
        Assert.True(await Sql.ScalarAsync<bool>(_connectionString, "SELECT to_regclass('commands') IS NOT NULL"));
    }

    [Fact]
    public async Task Params_that_are_not_a_json_object_are_kept_in_the_document_only()
    {
        await using var harness = Harness.Create(_connectionString);
        var store = Store(harness);
        var vin = TestVins.Next();
        var notAnObject = Command(CommandState.Pending, CreatedAt) with { ParamsJson = "[1,2]" };
        var notJson = Command(CommandState.Pending, CreatedAt) with { ParamsJson = "not json" };

        await store.SaveAsync(vin, notAnObject, CancellationToken.None);
        await store.SaveAsync(vin, notJson, CancellationToken.None);

        Assert.Equal("[1,2]", (await store.GetAsync(vin, notAnObject.Id, CancellationToken.None))!.ParamsJson);
        Assert.Equal("not json", (await store.GetAsync(vin, notJson.Id, CancellationToken.None))!.ParamsJson);
        Assert.Equal("{}", await Column<string>("params::text", notJson.Id));
    }

    [Fact]
    public async Task Open_commands_are_read_from_the_partial_index_in_queue_order()
    {
        var plan = await QueryPlan.ExplainAsync(_connectionString, PostgresCommandStore.LoadOpenSql, TestVins.Next());

        Assert.Contains(plan, line => line.Contains("commands_open_by_vin", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, line => line.Contains("Sort", StringComparison.Ordinal));
    }

    private static PostgresCommandStore Store(Harness harness) =>
        new(harness.DataSource, Options.Create(harness.Options), NullLogger<PostgresCommandStore>.Instance);

    private static VehicleCommand Command(CommandState state, DateTimeOffset createdAt, string? key = null) =>
        new(Guid.NewGuid(), CommandNames.HvacPrecondition, ParamsJson, createdAt, createdAt.AddMinutes(10).ToOffset(TimeSpan.FromHours(-3)), state)
        {
            IdempotencyKey = key,
        };

    /// <summary>DateTimeOffset equality ignores the offset; the round trip must keep it, and every tick.</summary>
    private static void AssertSameInstants(VehicleCommand expected, VehicleCommand actual) =>
        Assert.Equal(
            [expected.CreatedAt.ToString("O"), expected.ExpiresAt.ToString("O"), expected.UpdatedAt.ToString("O")],
            [actual.CreatedAt.ToString("O"), actual.ExpiresAt.ToString("O"), actual.UpdatedAt.ToString("O")]);

    private static DateTime Microseconds(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % 10), DateTimeKind.Utc);

    private Task<T?> Column<T>(string expression, Guid id) =>
        Sql.ScalarAsync<T>(_connectionString, $"SELECT {expression} FROM commands WHERE id = $1", id);
}
