using System.Text.Json;
using DigitalTwin.Grains.Abstractions.Insights;
using DigitalTwin.Grains.Insights;
using DigitalTwin.Persistence.Insights;
using DigitalTwin.Persistence.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Persistence.Tests;

[Collection(PostgresCollection.Name)]
public sealed class TripStoreTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2025, 11, 25, 8, 0, 0, TimeSpan.Zero);

    private string _connectionString = null!;

    public async Task InitializeAsync() => _connectionString = await postgres.DatabaseForClassAsync(GetType());

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_trip_is_stored_once_comes_back_whole_and_is_readable_with_plain_sql()
    {
        await using var harness = Harness.Create(_connectionString);
        var store = Store(harness);
        var trip = FullTrip(TestVins.Next(), Start);

        Assert.True(await store.AddTripAsync(trip, CancellationToken.None));
        Assert.False(await store.AddTripAsync(trip with { DistanceKm = 999 }, CancellationToken.None));
        var loaded = Assert.Single(await store.ListTripsAsync(trip.Vin, Start.AddHours(-1), Start.AddHours(1), 10, CancellationToken.None));

        Assert.Equal(JsonSerializer.Serialize(trip), JsonSerializer.Serialize(loaded));
        Assert.Equal(12.5, await Sql.ScalarAsync<double>(_connectionString, "SELECT distance_km FROM trips WHERE id = $1", trip.Id));
        Assert.Equal(1, await Sql.ScalarAsync<int>(_connectionString, "SELECT harsh_braking FROM trips WHERE id = $1", trip.Id));
        Assert.Equal("harshBraking", await Sql.ScalarAsync<string>(_connectionString, "SELECT document -> 'events' -> 0 ->> 'kind' FROM trips WHERE id = $1", trip.Id));
    }

    [Fact]
    public async Task Trips_are_listed_newest_first_within_the_range_and_the_limit()
    {
        await using var harness = Harness.Create(_connectionString);
        var store = Store(harness);
        var vin = TestVins.Next();
        for (var i = 0; i < 5; i++)
        {
            await store.AddTripAsync(FullTrip(vin, Start.AddHours(i)), CancellationToken.None);
        }

        var page = await store.ListTripsAsync(vin, Start, Start.AddHours(4), 2, CancellationToken.None);
        var next = await store.ListTripsAsync(vin, Start, page[^1].StartedAt, 2, CancellationToken.None);

        Assert.Equal([Start.AddHours(3), Start.AddHours(2)], page.Select(t => t.StartedAt));
        Assert.Equal([Start.AddHours(1), Start], next.Select(t => t.StartedAt));
    }

    [Fact]
    public async Task The_aggregate_of_a_period_sums_each_vehicles_trips_that_ended_in_it()
    {
        await using var harness = Harness.Create(_connectionString);
        var store = Store(harness);
        var vin = TestVins.Next();
        var periodStart = new DateTimeOffset(2024, 2, 1, 0, 0, 0, TimeSpan.Zero);
        await store.AddTripAsync(FullTrip(vin, periodStart.AddDays(1)) with { Id = vin + "-a", DistanceKm = 30, EcoScore = 90 }, CancellationToken.None);
        await store.AddTripAsync(FullTrip(vin, periodStart.AddDays(2)) with { Id = vin + "-b", DistanceKm = 10, EcoScore = 50 }, CancellationToken.None);
        await store.AddTripAsync(FullTrip(vin, periodStart.AddMonths(1)) with { Id = vin + "-c" }, CancellationToken.None);

        var entry = Assert.Single(await store.AggregateAsync(periodStart, periodStart.AddMonths(1), CancellationToken.None), e => e.Vin == vin);

        Assert.Equal((2, 40.0, 80.0), (entry.Trips, entry.DistanceKm, entry.EcoScore));
        Assert.Equal(periodStart.AddDays(2).AddMinutes(20), entry.LastTripEndedAt);
    }

    [Fact]
    public async Task A_charging_session_is_stored_once()
    {
        await using var harness = Harness.Create(_connectionString);
        var store = Store(harness);
        var vin = TestVins.Next();
        var session = new ChargingSession(ChargingSession.IdFor(vin, 1), vin, Start, Start.AddHours(1), 20, 80, 45, 80, true, InsightEndReasons.ChargingStopped);

        Assert.True(await store.AddChargingSessionAsync(session, CancellationToken.None));
        Assert.False(await store.AddChargingSessionAsync(session, CancellationToken.None));

        Assert.Equal(session, Assert.Single(await store.ListChargingSessionsAsync(vin, Start, Start.AddDays(1), 10, CancellationToken.None)));
        Assert.True(await Sql.ScalarAsync<bool>(_connectionString, "SELECT limit_reached FROM charging_sessions WHERE id = $1", session.Id));
    }

    [Fact]
    public async Task A_checkpoint_is_replaced_read_back_and_removed_when_nothing_is_open()
    {
        await using var harness = Harness.Create(_connectionString);
        var store = Store(harness);
        var vin = TestVins.Next();
        var open = new OpenTrip { StartTs = 1, LastSampleTs = 2, StartOdometer = 100, Events = [new BehaviourEvent(BehaviourKinds.Pothole, Start, 9, null)] };

        await store.SaveProgressAsync(vin, new InsightsProgress { Trip = open }, CancellationToken.None);
        open.LastSampleTs = 3;
        await store.SaveProgressAsync(vin, new InsightsProgress { Trip = open, LastFeedbackTs = 3 }, CancellationToken.None);
        var loaded = await store.LoadProgressAsync(vin, CancellationToken.None);
        await store.SaveProgressAsync(vin, new InsightsProgress(), CancellationToken.None);

        Assert.Equal((3L, 100.0, 3L), (loaded!.Trip!.LastSampleTs, loaded.Trip.StartOdometer!.Value, loaded.LastFeedbackTs!.Value));
        Assert.Equal(BehaviourKinds.Pothole, Assert.Single(loaded.Trip.Events).Kind);
        Assert.Null(await store.LoadProgressAsync(vin, CancellationToken.None));
    }

    private static PostgresTripStore Store(Harness harness) =>
        new(harness.DataSource, Options.Create(harness.Options), NullLogger<PostgresTripStore>.Instance);

    private static Trip FullTrip(string vin, DateTimeOffset startedAt) => new(
        Trip.IdFor(vin, startedAt.ToUnixTimeMilliseconds()),
        vin,
        startedAt,
        startedAt.AddMinutes(20),
        new TripPosition(52.52, 13.405),
        new TripPosition(52.6, 13.5),
        12.5,
        DistanceSources.Odometer,
        1200,
        87.5,
        37.5,
        2.5,
        null,
        625,
        92.5,
        90,
        BehaviourCounts.None with { HarshBraking = 1, Potholes = 1, SpeedingSeconds = 12 },
        [new BehaviourEvent(BehaviourKinds.HarshBraking, startedAt.AddMinutes(5), -5.5, new TripPosition(52.55, 13.45)), new BehaviourEvent(BehaviourKinds.AdasIntervention, startedAt.AddMinutes(6), null, null, "ForwardCollisionWarning")],
        InsightEndReasons.IgnitionOff);
}
