using DigitalTwin.Grains.Ownership;
using DigitalTwin.Persistence.Ownership;
using DigitalTwin.Persistence.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Persistence.Tests;

[Collection(PostgresCollection.Name)]
public sealed class VehicleRegistryTests(PostgresFixture postgres) : IAsyncLifetime
{
    // Whole microseconds in UTC: what timestamptz keeps, so a registration time compares exactly after a round trip.
    private static readonly DateTimeOffset RegisteredAt = new(2026, 3, 14, 9, 26, 53, 589, TimeSpan.Zero);

    private string _connectionString = null!;

    public async Task InitializeAsync() => _connectionString = await postgres.DatabaseForClassAsync(GetType());

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_new_vin_is_created_the_same_owner_again_is_unchanged_and_another_owner_is_a_conflict()
    {
        await using var harness = Harness.Create(_connectionString);
        var registry = Registry(harness, new FixedTime(RegisteredAt));
        var vin = TestVins.Next();

        var created = await registry.RegisterAsync(vin, "alice", CancellationToken.None);
        var again = await registry.RegisterAsync(vin, "alice", CancellationToken.None);
        var taken = await registry.RegisterAsync(vin, "mallory", CancellationToken.None);

        Assert.Equal((RegistrationOutcome.Created, new VehicleRegistration(vin, "alice", RegisteredAt)), created);
        Assert.Equal((RegistrationOutcome.Unchanged, new VehicleRegistration(vin, "alice", RegisteredAt)), again);
        // A conflict names the owner who holds the VIN, and changes nothing.
        Assert.Equal((RegistrationOutcome.Conflict, new VehicleRegistration(vin, "alice", RegisteredAt)), taken);
        Assert.Equal("alice", await registry.GetOwnerAsync(vin, CancellationToken.None));
        Assert.Equal(1L, await Sql.ScalarAsync<long>(_connectionString, "SELECT count(*) FROM vehicle_owners WHERE vin = $1", vin));
        Assert.Equal(RegisteredAt.UtcDateTime, await Sql.ScalarAsync<DateTime>(_connectionString, "SELECT registered_at FROM vehicle_owners WHERE vin = $1", vin));
    }

    [Fact]
    public async Task An_unregistered_vin_has_no_owner()
    {
        await using var harness = Harness.Create(_connectionString);
        var registry = Registry(harness);
        var vin = TestVins.Next();
        await registry.RegisterAsync(TestVins.Next(), "alice", CancellationToken.None);

        Assert.Null(await registry.GetOwnerAsync(vin, CancellationToken.None));
    }

    [Fact]
    public async Task Two_silos_registering_one_vin_at_once_for_different_owners_leave_exactly_one_winner()
    {
        // Separate data sources: separate pools and sessions, like two silos.
        await using var first = Harness.Create(_connectionString, o => o.CommandTimeout = TimeSpan.FromSeconds(30));
        await using var second = Harness.Create(_connectionString, o => o.CommandTimeout = TimeSpan.FromSeconds(30));
        var registries = new[] { Registry(first), Registry(second) };
        await WarmUpAsync(first, second);

        for (var round = 0; round < 25; round++)
        {
            var vin = TestVins.Next();
            var results = await RaceAsync(
                () => registries[0].RegisterAsync(vin, "alice", CancellationToken.None).AsTask(),
                () => registries[1].RegisterAsync(vin, "bob", CancellationToken.None).AsTask());

            var winner = Assert.Single(results, r => r.Outcome == RegistrationOutcome.Created);
            var loser = Assert.Single(results, r => r.Outcome == RegistrationOutcome.Conflict);
            Assert.Equal(winner.Registration, loser.Registration);
            Assert.Equal(winner.Registration.OwnerId, await Sql.ScalarAsync<string>(_connectionString, "SELECT owner_id FROM vehicle_owners WHERE vin = $1", vin));
        }
    }

    [Fact]
    public async Task Two_silos_registering_one_vin_at_once_for_the_same_owner_create_it_once()
    {
        await using var first = Harness.Create(_connectionString, o => o.CommandTimeout = TimeSpan.FromSeconds(30));
        await using var second = Harness.Create(_connectionString, o => o.CommandTimeout = TimeSpan.FromSeconds(30));
        var registries = new[] { Registry(first), Registry(second) };
        await WarmUpAsync(first, second);

        for (var round = 0; round < 25; round++)
        {
            var vin = TestVins.Next();
            var results = await RaceAsync(
                () => registries[0].RegisterAsync(vin, "alice", CancellationToken.None).AsTask(),
                () => registries[1].RegisterAsync(vin, "alice", CancellationToken.None).AsTask());

            Assert.Equal(
                [RegistrationOutcome.Created, RegistrationOutcome.Unchanged],
                results.Select(r => r.Outcome).Order());
            Assert.Equal(results[0].Registration, results[1].Registration);
        }
    }

    [Fact]
    public async Task Pages_follow_the_vin_order_and_each_cursor_is_the_last_vin_of_its_page()
    {
        // A database of its own: listing every owner's vehicles must see only these.
        var connectionString = await postgres.CreateMigratedDatabaseAsync("registry_pages");
        await using var harness = Harness.Create(connectionString);
        var registry = Registry(harness);
        // Digits sort before letters in ordinal order; registered in no particular order.
        string[] vins =
        [
            "WDD2030461A123456", "1HGCM82633A004352", "JH4KA7561PC008269", "5YJ3E1EA7KF317000",
            "WBA3A5C51CF256985", "1FTFW1ET5DFC10312", "ZFF65LJA7A0170530",
        ];
        foreach (var (vin, i) in vins.Select((v, i) => (v, i)))
        {
            await registry.RegisterAsync(vin, i % 2 == 0 ? "alice" : "bob", CancellationToken.None);
        }

        var expected = vins.Order(StringComparer.Ordinal).ToArray();
        var pages = await AllPagesAsync(registry, ownerId: null, limit: 3);

        Assert.Equal([3, 3, 1], pages.Select(p => p.Items.Count));
        Assert.Equal(expected, pages.SelectMany(p => p.Items).Select(r => r.Vin));
        Assert.Equal([expected[2], expected[5], null], pages.Select(p => p.Next));
        Assert.All(pages.SelectMany(p => p.Items), r => Assert.Equal(Array.IndexOf(vins, r.Vin) % 2 == 0 ? "alice" : "bob", r.OwnerId));

        // A page that ends exactly at the last VIN has no next page; one row short of it has.
        Assert.Null((await registry.ListAsync(null, null, 7, CancellationToken.None)).Next);
        Assert.Equal(expected[5], (await registry.ListAsync(null, null, 6, CancellationToken.None)).Next);
        Assert.Empty((await registry.ListAsync(null, expected[^1], 3, CancellationToken.None)).Items);
    }

    [Fact]
    public async Task Listing_by_owner_pages_through_that_owners_vehicles_only()
    {
        await using var harness = Harness.Create(_connectionString);
        var registry = Registry(harness);
        var owner = $"owner-{Guid.NewGuid():N}";
        var other = $"owner-{Guid.NewGuid():N}";
        var mine = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var vin = TestVins.Next();
            mine.Add(vin);
            await registry.RegisterAsync(vin, owner, CancellationToken.None);
            await registry.RegisterAsync(TestVins.Next(), other, CancellationToken.None);
        }

        var pages = await AllPagesAsync(registry, owner, limit: 2);

        Assert.Equal([2, 2, 1], pages.Select(p => p.Items.Count));
        Assert.Equal(mine.Order(StringComparer.Ordinal), pages.SelectMany(p => p.Items).Select(r => r.Vin));
        Assert.All(pages.SelectMany(p => p.Items), r => Assert.Equal(owner, r.OwnerId));
        Assert.Empty((await registry.ListAsync($"owner-{Guid.NewGuid():N}", null, 10, CancellationToken.None)).Items);
    }

    [Fact]
    public async Task Owner_ids_with_quotes_and_other_scripts_are_kept_as_data()
    {
        await using var harness = Harness.Create(_connectionString);
        var registry = Registry(harness);
        var vin = TestVins.Next();
        var owner = $"o'wner\"; DROP TABLE vehicle_owners; -- \\ $1 Ä车🚗 {Guid.NewGuid():N}";

        var (outcome, _) = await registry.RegisterAsync(vin, owner, CancellationToken.None);

        Assert.Equal(RegistrationOutcome.Created, outcome);
        Assert.Equal(owner, await registry.GetOwnerAsync(vin, CancellationToken.None));
        Assert.Equal(vin, Assert.Single((await registry.ListAsync(owner, null, 10, CancellationToken.None)).Items).Vin);
        Assert.Equal(RegistrationOutcome.Unchanged, (await registry.RegisterAsync(vin, owner, CancellationToken.None)).Outcome);
    }

    private static PostgresVehicleRegistry Registry(Harness harness, TimeProvider? time = null) =>
        new(harness.DataSource, Options.Create(harness.Options), NullLogger<PostgresVehicleRegistry>.Instance, time);

    private static async Task<List<RegistrationPage>> AllPagesAsync(PostgresVehicleRegistry registry, string? ownerId, int limit)
    {
        var pages = new List<RegistrationPage>();
        string? after = null;
        do
        {
            var page = await registry.ListAsync(ownerId, after, limit, CancellationToken.None);
            pages.Add(page);
            after = page.Next;
        }
        while (after is not null && pages.Count < 100);

        return pages;
    }

    /// <summary>Opens a connection in each pool first, so that the race is between statements, not connection set-ups.</summary>
    private static async Task WarmUpAsync(params Harness[] harnesses)
    {
        foreach (var harness in harnesses)
        {
            await using var command = harness.DataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync();
        }
    }

    private static async Task<T[]> RaceAsync<T>(params Func<Task<T>>[] contenders)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = contenders.Select(c => Task.Run(async () =>
        {
            await start.Task;
            return await c();
        })).ToArray();
        start.SetResult();
        return await Task.WhenAll(runs);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
