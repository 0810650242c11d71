using DigitalTwin.Grains.Abstractions.Crash;
using DigitalTwin.Persistence.Alerts;
using DigitalTwin.Persistence.Tests.Support;
using DigitalTwin.Persistence.WriteBehind;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace DigitalTwin.Persistence.Tests;

[Collection(PostgresCollection.Name)]
public sealed class AlertStoreTests(PostgresFixture postgres) : IAsyncLifetime
{
    // Car times with sub-microsecond ticks and an offset: only the document can bring them back exactly.
    private static readonly DateTimeOffset OccurredAt = new DateTimeOffset(2025, 11, 25, 1, 0, 0, 500, TimeSpan.FromHours(1)).AddTicks(1234);

    private string _connectionString = null!;

    public async Task InitializeAsync() => _connectionString = await postgres.DatabaseForClassAsync(GetType());

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task An_alert_comes_back_with_every_field_exactly_and_its_typed_columns_are_filled()
    {
        await using var harness = Harness.Create(_connectionString);
        var store = Store(harness);
        var alert = FullAlert(TestVins.Next());

        await store.SaveAsync(alert, CancellationToken.None);
        var loaded = Assert.Single(await store.ListAsync(alert.Vin, 10, CancellationToken.None));

        Assert.Equal(alert, loaded);
        AssertSameInstants(alert, loaded);
        Assert.Equal(TimeSpan.FromTicks(123_456_789), loaded.Incident.Position!.FixAge);
        Assert.Equal(CrashTrigger.Airbag | CrashTrigger.SevereDeceleration | CrashTrigger.SosButton, loaded.Incident.Triggers);

        // What a plain-SQL reader sees.
        var id = alert.Id;
        Assert.Equal(alert.Vin, await Column<string>("vin", id));
        Assert.Equal("crash", await Column<string>("type", id));
        Assert.Equal("critical", await Column<string>("severity", id));
        Assert.Equal("severeDeceleration", await Column<string>("trigger", id));
        Assert.Equal("resolved", await Column<string>("status", id));
        Assert.Equal(48.7758459, await Column<double>("latitude", id));
        Assert.Equal(9.1829321, await Column<double>("longitude", id));
        Assert.Equal(271.5, await Column<double>("heading", id));
        Assert.Equal(3, await Column<int>("occupants", id));
        Assert.Equal(Microseconds(alert.RaisedAt), await Column<DateTime>("raised_at", id));
        Assert.Equal(Microseconds(alert.UpdatedAt), await Column<DateTime>("updated_at", id));
        Assert.Equal(Microseconds(alert.AcknowledgedAt!.Value), await Column<DateTime>("acknowledged_at", id));
        Assert.Equal(Microseconds(alert.Incident.OccurredAt), await Column<DateTime>("occurred_at", id));
        Assert.Equal("resolved", await Column<string>("document ->> 'status'", id));
        Assert.Equal("airbag, severeDeceleration, sosButton", await Column<string>("document -> 'incident' ->> 'triggers'", id));
    }

    [Fact]
    public async Task Missing_data_stays_null_in_the_alert_and_in_the_typed_columns()
    {
        await using var harness = Harness.Create(_connectionString);
        var store = Store(harness);
        var vin = TestVins.Next();
        var incident = new CrashIncident(OccurredAt, OccurredAt, CrashSeverity.Minor, CrashTrigger.None, CrashTrigger.None, null, null, null, null, null, 1);
        var bare = CrashAlert.For(vin, incident);
        // A position without a heading, in an alert of its own.
        var noHeading = CrashAlert.For(vin, incident with { OccurredAt = OccurredAt.AddSeconds(-1), Position = new CrashPosition(-33.8688, 151.2093, null, TimeSpan.Zero) });

        await store.SaveAsync(bare, CancellationToken.None);
        await store.SaveAsync(noHeading, CancellationToken.None);
        var loaded = await store.ListAsync(vin, 10, CancellationToken.None);

        Assert.Equal([bare, noHeading], loaded);
        AssertSameInstants(bare, loaded[0]);
        Assert.Null(loaded[0].Incident.Position);
        Assert.Null(loaded[0].AcknowledgedBy);
        Assert.Null(loaded[0].ResolvedAt);
        Assert.Null(loaded[1].Incident.Position!.Heading);
        foreach (var column in new[] { "trigger", "latitude", "longitude", "heading", "occupants", "acknowledged_at" })
        {
            Assert.True(await Column<bool>($"{column} IS NULL", bare.Id), $"{column} is NULL");
        }

        Assert.Equal("minor", await Column<string>("severity", bare.Id));
        Assert.Equal("open", await Column<string>("status", bare.Id));
        Assert.True(await Column<bool>("heading IS NULL AND latitude IS NOT NULL", noHeading.Id));
    }

    [Fact]
    public async Task Flags_without_a_name_round_trip()
    {
        await using var harness = Harness.Create(_connectionString);
        var store = Store(harness);
        var alert = FullAlert(TestVins.Next());
        alert = alert with { Incident = alert.Incident with { Trigger = (CrashTrigger)16, Triggers = CrashTrigger.Airbag | (CrashTrigger)8 } };

        await store.SaveAsync(alert, CancellationToken.None);
        var loaded = Assert.Single(await store.ListAsync(alert.Vin, 10, CancellationToken.None));

        Assert.Equal((CrashTrigger)16, loaded.Incident.Trigger);
        Assert.Equal(CrashTrigger.Airbag | (CrashTrigger)8, loaded.Incident.Triggers);
        Assert.Equal("16", await Column<string>("trigger", alert.Id));
    }

    [Fact]
    public async Task An_alert_is_got_by_its_id_only_for_its_own_vehicle()
    {
        await using var harness = Harness.Create(_connectionString);
        var store = Store(harness);
        var alert = FullAlert(TestVins.Next());
        await store.SaveAsync(alert, CancellationToken.None);

        Assert.Equal(alert, await store.GetAsync(alert.Vin, alert.Id, CancellationToken.None));
        Assert.Null(await store.GetAsync(TestVins.Next(), alert.Id, CancellationToken.None));
        Assert.Null(await store.GetAsync(alert.Vin, alert.Id + "-x", CancellationToken.None));
    }

    [Fact]
    public async Task Saving_an_alert_again_replaces_it()
    {
        await using var harness = Harness.Create(_connectionString);
        var store = Store(harness);
        var raised = FullAlert(TestVins.Next()) with
        {
            Status = AlertStatus.Open, AcknowledgedBy = null, AcknowledgedAt = null, ResolvedBy = null, ResolvedAt = null,
        };
        var acknowledged = raised with
        {
            Status = AlertStatus.Acknowledged,
            AcknowledgedBy = "operator-7",
            AcknowledgedAt = raised.RaisedAt.AddMinutes(2),
            UpdatedAt = raised.RaisedAt.AddMinutes(2),
            Incident = raised.Incident with { Revision = 2, Severity = CrashSeverity.Severe, Occupants = 1 },
        };

        await store.SaveAsync(raised, CancellationToken.None);
        await store.SaveAsync(acknowledged, CancellationToken.None);

        Assert.Equal(acknowledged, Assert.Single(await store.ListAsync(raised.Vin, 10, CancellationToken.None)));
        Assert.Equal(1L, await Sql.ScalarAsync<long>(_connectionString, "SELECT count(*) FROM alerts WHERE vin = $1", raised.Vin));
        Assert.Equal("acknowledged", await Column<string>("status", raised.Id));
        Assert.Equal("severe", await Column<string>("severity", raised.Id));
        Assert.Equal(1, await Column<int>("occupants", raised.Id));
    }

    [Fact]
    public async Task Alerts_are_listed_newest_incident_first_then_by_id_for_the_vehicle_only_up_to_the_limit()
    {
        await using var harness = Harness.Create(_connectionString);
        var store = Store(harness);
        var vin = TestVins.Next();
        var baseAlert = FullAlert(vin);
        // Raised (backend clock) in the opposite order to the incidents, so raised_at cannot be what orders them.
        var byMinute = new[] { 3, 0, 4, 1, 2 }.Select(m => new CrashAlert(
            $"{vin}-crash-{m}",
            vin,
            baseAlert.Incident with { OccurredAt = OccurredAt.AddMinutes(m) }) { RaisedAt = OccurredAt.AddHours(1).AddMinutes(-m) }).ToList();
        // Same incident time: the id decides, in byte order ('b' after 'B').
        var tieLow = new CrashAlert($"{vin}-crash-4-B", vin, byMinute[2].Incident);
        var tieHigh = new CrashAlert($"{vin}-crash-4-b", vin, byMinute[2].Incident);
        foreach (var alert in byMinute.Append(tieHigh).Append(tieLow))
        {
            await store.SaveAsync(alert, CancellationToken.None);
        }

        await store.SaveAsync(FullAlert(TestVins.Next()), CancellationToken.None);

        var all = await store.ListAsync(vin, 100, CancellationToken.None);
        var top3 = await store.ListAsync(vin, 3, CancellationToken.None);

        Assert.Equal(
            [$"{vin}-crash-4-b", $"{vin}-crash-4-B", $"{vin}-crash-4", $"{vin}-crash-3", $"{vin}-crash-2", $"{vin}-crash-1", $"{vin}-crash-0"],
            all.Select(a => a.Id));
        Assert.Equal(all.Take(3), top3);
        Assert.Empty(await store.ListAsync(vin, 0, CancellationToken.None));
        Assert.Empty(await store.ListAsync(TestVins.Next(), 10, CancellationToken.None));
    }

    [Fact]
    public async Task Hostile_strings_round_trip_as_data()
    {
        await using var harness = Harness.Create(_connectionString);
        var store = Store(harness);
        var vin = TestVins.Next();
        const string hostile = "'); DROP TABLE alerts; -- \" \\ \\u0041 $1 %s {0} \t\r\n Ä车🚗 é\u0301 \u200B";
        var full = FullAlert(vin);
        var alert = new CrashAlert($"{vin}-crash-{hostile}", vin, full.Incident)
        {
            RaisedAt = full.RaisedAt,
            AcknowledgedBy = hostile,
            ResolvedBy = string.Concat(Enumerable.Repeat(hostile, 5_000)),
        };

        await store.SaveAsync(alert, CancellationToken.None);
        var loaded = Assert.Single(await store.ListAsync(vin, 10, CancellationToken.None));

        Assert.Equal(alert, loaded);
        Assert.Equal(hostile, loaded.AcknowledgedBy);
        Assert.True(await Sql.ScalarAsync<bool>(_connectionString, "SELECT to_regclass('alerts') IS NOT NULL"));
        Assert.Equal(hostile, await Sql.ScalarAsync<string>(_connectionString, "SELECT document ->> 'acknowledgedBy' FROM alerts WHERE id = $1", alert.Id));
    }

    [Fact]
    public async Task A_string_PostgreSQL_cannot_store_fails_the_save_and_keeps_the_stored_alert()
    {
        await using var harness = Harness.Create(_connectionString);
        var store = Store(harness);
        var alert = FullAlert(TestVins.Next());
        await store.SaveAsync(alert, CancellationToken.None);

        await Assert.ThrowsAnyAsync<PostgresException>(() => store.SaveAsync(alert with { AcknowledgedBy = "nul\0byte" }, CancellationToken.None).AsTask());

        Assert.Equal(alert, Assert.Single(await store.ListAsync(alert.Vin, 10, CancellationToken.None)));
    }

    [Fact]
    public async Task An_alert_id_held_by_another_vehicle_is_refused_and_left_alone()
    {
        await using var harness = Harness.Create(_connectionString);
        var store = Store(harness);
        var alert = FullAlert(TestVins.Next());
        var intruder = new CrashAlert(alert.Id, TestVins.Next(), alert.Incident with { Severity = CrashSeverity.Minor });
        await store.SaveAsync(alert, CancellationToken.None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.SaveAsync(intruder, CancellationToken.None).AsTask());

        Assert.Equal(alert, Assert.Single(await store.ListAsync(alert.Vin, 10, CancellationToken.None)));
        Assert.Empty(await store.ListAsync(intruder.Vin, 10, CancellationToken.None));
    }

    [Fact]
    public async Task Rows_without_a_document_are_left_out_of_the_listing()
    {
        await using var harness = Harness.Create(_connectionString);
        var store = Store(harness);
        var alert = FullAlert(TestVins.Next());
        await store.SaveAsync(alert, CancellationToken.None);
        // Another system's alert, as migration 4 shaped the table.
        await Sql.ExecuteAsync(
            _connectionString,
            "INSERT INTO alerts (id, vin, type, severity, raised_at) VALUES ($1, $2, 'crash', 'severe', now())",
            Guid.NewGuid().ToString(),
            alert.Vin);

        Assert.Equal([alert], await store.ListAsync(alert.Vin, 10, CancellationToken.None));
        Assert.Equal(2L, await Sql.ScalarAsync<long>(_connectionString, "SELECT count(*) FROM alerts WHERE vin = $1", alert.Vin));
    }

    [Fact]
    public async Task A_vehicles_alerts_are_read_from_the_index_in_listing_order()
    {
        var plan = await QueryPlan.ExplainAsync(_connectionString, PostgresAlertStore.ListSql, TestVins.Next(), CrashAlert.AlertType, 10);

        Assert.Contains(plan, line => line.Contains("alerts_vin_occurred_at", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, line => line.Contains("Sort", StringComparison.Ordinal));
    }

    [Fact]
    public async Task No_bulk_write_starts_while_an_alert_is_being_saved()
    {
        await using var harness = Harness.Create(_connectionString);
        var gate = new BulkWriteGate(new FakeTimeProvider());
        var store = new PostgresAlertStore(harness.DataSource, Options.Create(harness.Options), NullLogger<PostgresAlertStore>.Instance, gate);

        // Another session holds the table, so the save stays in flight until it lets go.
        await using var blocker = await harness.DataSource.OpenConnectionAsync();
        await using var transaction = await blocker.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE alerts IN ACCESS EXCLUSIVE MODE", blocker, transaction))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        var save = store.SaveAsync(FullAlert(TestVins.Next()), CancellationToken.None).AsTask();
        Assert.Equal(1, gate.UrgentInFlight);
        var bulk = gate.EnterAsync(CancellationToken.None);
        Assert.False(bulk.IsCompleted);

        await transaction.RollbackAsync();
        await save.WaitAsync(TimeSpan.FromSeconds(20));
        using var entered = await bulk.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(0, gate.UrgentInFlight);
    }

    private static PostgresAlertStore Store(Harness harness) =>
        new(harness.DataSource, Options.Create(harness.Options), NullLogger<PostgresAlertStore>.Instance);

    private static CrashAlert FullAlert(string vin)
    {
        var incident = new CrashIncident(
            OccurredAt,
            OccurredAt.AddMilliseconds(850).AddTicks(7),
            CrashSeverity.Critical,
            CrashTrigger.SevereDeceleration,
            CrashTrigger.SevereDeceleration | CrashTrigger.Airbag | CrashTrigger.SosButton,
            new CrashPosition(48.7758459, 9.1829321, 271.5, TimeSpan.FromTicks(123_456_789)),
            Occupants: 3,
            SpeedBeforeKmh: 87.25,
            DeltaVKmh: 0.1 + 0.2,
            PeakAccelerationMps2: 312.0625,
            Revision: 4);
        var raisedAt = new DateTimeOffset(2025, 11, 24, 19, 0, 1, 17, TimeSpan.FromHours(-5)).AddTicks(4321);
        return CrashAlert.For(vin, incident) with
        {
            Status = AlertStatus.Resolved,
            RaisedAt = raisedAt,
            UpdatedAt = raisedAt.AddMinutes(9).AddTicks(1),
            AcknowledgedBy = "operator-7",
            AcknowledgedAt = raisedAt.AddMinutes(2).ToOffset(TimeSpan.FromHours(5.5)),
            ResolvedBy = "operator-9",
            ResolvedAt = raisedAt.AddMinutes(9).AddTicks(1),
        };
    }

    /// <summary>DateTimeOffset equality ignores the offset; the round trip must keep it, and every tick.</summary>
    private static void AssertSameInstants(CrashAlert expected, CrashAlert actual)
    {
        Assert.Equal(Instants(expected), Instants(actual));

        static string?[] Instants(CrashAlert a) =>
        [
            a.RaisedAt.ToString("O"), a.UpdatedAt.ToString("O"), a.AcknowledgedAt?.ToString("O"), a.ResolvedAt?.ToString("O"),
            a.Incident.OccurredAt.ToString("O"), a.Incident.UpdatedAt.ToString("O"),
        ];
    }

    private static DateTime Microseconds(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % 10), DateTimeKind.Utc);

    private Task<T?> Column<T>(string expression, string id) =>
        Sql.ScalarAsync<T>(_connectionString, $"SELECT {expression} FROM alerts WHERE id = $1", id);
}
