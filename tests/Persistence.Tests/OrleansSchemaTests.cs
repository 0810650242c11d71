using System.Data;
using System.Data.Common;
using DigitalTwin.Persistence.Tests.Support;
using Npgsql;

namespace DigitalTwin.Persistence.Tests;

/// <summary>
/// The Orleans ADO.NET providers run whatever SQL the OrleansQuery table holds. These tests call those queries the way
/// the providers do: text looked up by key, named parameters typed by DbType (string, Int32, DateTime), single
/// results read as booleans and rows read by column name.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class OrleansSchemaTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const int Active = 3;
    private const int Dead = 6;

    private static readonly string[] ClusteringKeys =
    [
        "InsertMembershipVersionKey", "InsertMembershipKey", "UpdateMembershipKey", "UpdateIAmAlivetimeKey",
        "MembershipReadRowKey", "MembershipReadAllKey", "DeleteMembershipTableEntriesKey", "GatewaysQueryKey",
        "CleanupDefunctSiloEntriesKey", "CleanupDefunctSiloEntryKey",
    ];

    private static readonly string[] ReminderKeys =
    [
        "UpsertReminderRowKey", "ReadReminderRowsKey", "ReadReminderRowKey", "ReadRangeRows1Key", "ReadRangeRows2Key",
        "DeleteReminderRowKey", "DeleteReminderRowsKey",
    ];

    private NpgsqlDataSource _dataSource = null!;
    private Dictionary<string, string> _queries = null!;

    public async Task InitializeAsync()
    {
        _dataSource = NpgsqlDataSource.Create(await postgres.DatabaseForClassAsync(GetType()));
        _queries = [];
        // The providers' own start-up query.
        foreach (var row in await RunAsync("SELECT QueryKey, QueryText FROM OrleansQuery"))
        {
            _queries[(string)row["QueryKey"]!] = (string)row["QueryText"]!;
        }
    }

    public async Task DisposeAsync() => await _dataSource.DisposeAsync();

    [Fact]
    public void Every_query_the_clustering_and_reminder_providers_load_is_present()
    {
        foreach (var key in ClusteringKeys.Concat(ReminderKeys))
        {
            Assert.True(_queries.ContainsKey(key), $"OrleansQuery has {key}");
        }
    }

    [Fact]
    public async Task The_version_row_of_a_deployment_is_created_once()
    {
        var deployment = NewDeployment();

        Assert.True(await WriteAsync("InsertMembershipVersionKey", ("DeploymentId", deployment)));
        Assert.False(await WriteAsync("InsertMembershipVersionKey", ("DeploymentId", deployment)));

        var rows = await QueryAsync("MembershipReadAllKey", ("DeploymentId", deployment));
        var only = Assert.Single(rows);
        Assert.Equal(0, only["Version"]);
        Assert.Null(only["Address"]);
    }

    [Fact]
    public async Task A_membership_write_with_a_stale_table_version_changes_nothing()
    {
        var deployment = await NewDeploymentWithVersionRowAsync();
        Assert.True(await InsertSiloAsync(deployment, generation: 1, version: 0));

        Assert.False(await InsertSiloAsync(deployment, generation: 2, version: 0));
        Assert.False(await UpdateSiloAsync(deployment, generation: 1, status: Dead, version: 0));

        var rows = await QueryAsync("MembershipReadAllKey", ("DeploymentId", deployment));
        var only = Assert.Single(rows);
        Assert.Equal(1, only["Generation"]);
        Assert.Equal(Active, only["Status"]);
        Assert.Equal(1, only["Version"]);
    }

    [Fact]
    public async Task A_refused_insert_or_update_does_not_use_up_a_table_version()
    {
        var deployment = await NewDeploymentWithVersionRowAsync();
        Assert.True(await InsertSiloAsync(deployment, generation: 1, version: 0));

        // The silo exists already, and generation 9 does not exist: both lose, and both must roll back the bump.
        Assert.False(await InsertSiloAsync(deployment, generation: 1, version: 1));
        Assert.False(await UpdateSiloAsync(deployment, generation: 9, status: Dead, version: 1));

        Assert.Equal(1, (await QueryAsync("MembershipReadAllKey", ("DeploymentId", deployment)))[0]["Version"]);
        Assert.True(await UpdateSiloAsync(deployment, generation: 1, status: Active, version: 1, suspectTimes: "S10.0.0.2:11111:2,2026-11-24 10:00:00.000 GMT"));
        var row = Assert.Single(await QueryAsync("MembershipReadRowKey", ("DeploymentId", deployment), ("Address", "10.0.0.1"), ("Port", 11111), ("Generation", 1)));
        Assert.Equal(2, row["Version"]);
        Assert.Equal("S10.0.0.2:11111:2,2026-11-24 10:00:00.000 GMT", row["SuspectTimes"]);
    }

    [Fact]
    public async Task Heartbeats_only_move_forward_and_gateways_list_active_silos_with_a_proxy_port()
    {
        var deployment = await NewDeploymentWithVersionRowAsync();
        var started = DateTime.UtcNow.AddMinutes(-5);
        Assert.True(await InsertSiloAsync(deployment, generation: 1, version: 0, at: started));
        var later = started.AddMinutes(1);

        await ExecuteAsync("UpdateIAmAlivetimeKey", ("DeploymentId", deployment), ("Address", "10.0.0.1"), ("Port", 11111), ("Generation", 1), ("IAmAliveTime", later));
        await ExecuteAsync("UpdateIAmAlivetimeKey", ("DeploymentId", deployment), ("Address", "10.0.0.1"), ("Port", 11111), ("Generation", 1), ("IAmAliveTime", started));

        var row = Assert.Single(await QueryAsync("MembershipReadRowKey", ("DeploymentId", deployment), ("Address", "10.0.0.1"), ("Port", 11111), ("Generation", 1)));
        Assert.Equal(later, ((DateTime)row["IAmAliveTime"]!).ToUniversalTime(), TimeSpan.FromMilliseconds(1));
        var gateway = Assert.Single(await QueryAsync("GatewaysQueryKey", ("DeploymentId", deployment), ("Status", Active)));
        Assert.Equal("10.0.0.1", gateway["Address"]);
        Assert.Equal(30000, gateway["ProxyPort"]);
    }

    [Fact]
    public async Task Cleanup_removes_long_dead_silos_and_never_a_live_one()
    {
        var deployment = await NewDeploymentWithVersionRowAsync();
        var longAgo = DateTime.UtcNow.AddDays(-2);
        Assert.True(await InsertSiloAsync(deployment, generation: 1, version: 0, at: longAgo));
        Assert.True(await InsertSiloAsync(deployment, generation: 2, version: 1, at: longAgo));
        Assert.True(await UpdateSiloAsync(deployment, generation: 2, status: Dead, version: 2, at: longAgo));

        await ExecuteAsync("CleanupDefunctSiloEntriesKey", ("DeploymentId", deployment), ("IAmAliveTime", DateTime.UtcNow.AddDays(-1)));

        var left = await QueryAsync("MembershipReadAllKey", ("DeploymentId", deployment));
        Assert.Equal([1], left.Select(r => (int)r["Generation"]!));

        await ExecuteAsync("DeleteMembershipTableEntriesKey", ("DeploymentId", deployment));
        Assert.Empty(await QueryAsync("MembershipReadAllKey", ("DeploymentId", deployment)));
    }

    [Fact]
    public async Task Reminder_upserts_answer_a_growing_version_and_deletes_need_the_current_one()
    {
        var service = NewDeployment();
        (string, object?)[] reminder =
        [
            ("ServiceId", service), ("GrainId", "vehicle/WDD2030461A123456"), ("ReminderName", "precondition"),
            ("StartTime", DateTime.UtcNow), ("Period", 60_000), ("GrainHash", 12345),
        ];

        var first = Assert.Single(await QueryAsync("UpsertReminderRowKey", reminder));
        var second = Assert.Single(await QueryAsync("UpsertReminderRowKey", reminder));

        Assert.Equal(0, first["Version"]);
        Assert.Equal(1, second["Version"]);
        var inRange = await QueryAsync("ReadRangeRows1Key", ("ServiceId", service), ("BeginHash", 12000), ("EndHash", 13000));
        Assert.Equal("precondition", Assert.Single(inRange)["ReminderName"]);
        Assert.Empty(await QueryAsync("ReadRangeRows1Key", ("ServiceId", service), ("BeginHash", 12345), ("EndHash", 13000)));
        Assert.Single(await QueryAsync("ReadRangeRows2Key", ("ServiceId", service), ("BeginHash", 13000), ("EndHash", 12345)));
        (string, object?)[] key = [("ServiceId", service), ("GrainId", "vehicle/WDD2030461A123456"), ("ReminderName", "precondition")];
        Assert.False(await WriteAsync("DeleteReminderRowKey", [.. key, ("Version", 0)]));
        Assert.True(await WriteAsync("DeleteReminderRowKey", [.. key, ("Version", 1)]));
        Assert.Empty(await QueryAsync("ReadReminderRowKey", key));
    }

    private static string NewDeployment() => $"test-{Guid.NewGuid():N}";

    private async Task<string> NewDeploymentWithVersionRowAsync()
    {
        var deployment = NewDeployment();
        Assert.True(await WriteAsync("InsertMembershipVersionKey", ("DeploymentId", deployment)));
        return deployment;
    }

    private Task<bool> InsertSiloAsync(string deployment, int generation, int version, DateTime? at = null) =>
        WriteAsync(
            "InsertMembershipKey",
            ("DeploymentId", deployment), ("Address", "10.0.0.1"), ("Port", 11111), ("Generation", generation),
            ("SiloName", $"silo-{generation}"), ("HostName", "host-a"), ("Status", Active), ("ProxyPort", 30000),
            ("StartTime", at ?? DateTime.UtcNow), ("IAmAliveTime", at ?? DateTime.UtcNow), ("Version", version));

    private Task<bool> UpdateSiloAsync(string deployment, int generation, int status, int version, DateTime? at = null, string? suspectTimes = null) =>
        WriteAsync(
            "UpdateMembershipKey",
            ("DeploymentId", deployment), ("Address", "10.0.0.1"), ("Port", 11111), ("Generation", generation),
            ("Status", status), ("SuspectTimes", suspectTimes), ("IAmAliveTime", at ?? DateTime.UtcNow), ("Version", version));

    /// <summary>A write query: the providers read the first column of the first row as a boolean.</summary>
    private async Task<bool> WriteAsync(string key, params (string Name, object? Value)[] parameters)
    {
        var rows = await RunAsync(_queries[key], parameters);
        return Convert.ToBoolean(Assert.Single(rows).Values.First(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private Task<List<Dictionary<string, object?>>> QueryAsync(string key, params (string Name, object? Value)[] parameters) =>
        RunAsync(_queries[key], parameters);

    private async Task ExecuteAsync(string key, params (string Name, object? Value)[] parameters) =>
        await RunAsync(_queries[key], parameters);

    private async Task<List<Dictionary<string, object?>>> RunAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using DbConnection connection = await _dataSource.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            parameter.DbType = value switch
            {
                int => DbType.Int32,
                long => DbType.Int64,
                DateTime => DbType.DateTime,
                _ => DbType.String,
            };
            command.Parameters.Add(parameter);
        }

        var rows = new List<Dictionary<string, object?>>();
        await using var reader = await command.ExecuteReaderAsync();
        do
        {
            while (await reader.ReadAsync())
            {
                // Keyed without regard to case, as the providers look columns up (PostgreSQL folds them to lower case).
                var row = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                }

                rows.Add(row);
            }
        }
        while (await reader.NextResultAsync());

        return rows;
    }
}
