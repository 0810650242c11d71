using DigitalTwin.Contract.Notifications;
using DigitalTwin.Grains.Abstractions.Insights;
using DigitalTwin.Grains.Abstractions.Vehicles;

namespace DigitalTwin.Grains.Tests.Insights;

[Collection(ClusterCollection.Name)]
public sealed class VehicleGrainInsightsTests(ClusterFixture fixture)
{
    private static int _next;

    private static string NewVin() => $"WDD2030461T{Interlocked.Increment(ref _next):D6}";

    private static DriveTrace Drive(Action<DriveTrace>? middle = null)
    {
        var trace = new DriveTrace();
        trace.Ignition("ON").Hold(2, 0).Ramp(10, 0, 50).Hold(120, 50);
        middle?.Invoke(trace);
        trace.Hold(60, 50).Ramp(10, 50, 0).Ignition("OFF").Hold(1, 0);
        return trace;
    }

    private static DateTimeOffset From => DateTimeOffset.FromUnixTimeMilliseconds(DriveTrace.Start) - TimeSpan.FromDays(1);

    private static DateTimeOffset To => DateTimeOffset.FromUnixTimeMilliseconds(DriveTrace.Start) + TimeSpan.FromDays(1);

    [Fact]
    public async Task A_trip_driven_through_the_twin_is_stored_once_streamed_fed_and_ranked_and_a_replay_changes_nothing()
    {
        var vin = NewVin();
        var grain = fixture.Grains.GetGrain<IVehicleGrain>(vin);
        var trace = Drive();

        foreach (var message in trace.Messages.Concat(trace.Messages))
        {
            await grain.ApplyTelemetry(message);
        }

        var trip = Assert.Single(await fixture.Trips.ListTripsAsync(vin, From, To, 10, CancellationToken.None));
        Assert.Equal(trace.DrivenKm, trip.DistanceKm, 0.002);
        Assert.Equal(trip.Id, Assert.Single((await grain.Watch(null)).OfType<TripFinished>()).Trip.Id);
        Assert.Single(ClusterFixture.ChangeFeed.Of(vin).OfType<TripFinished>());
        Assert.Null(await fixture.Trips.LoadProgressAsync(vin, CancellationToken.None));

        var month = fixture.Grains.GetGrain<ILeaderboardGrain>(LeaderboardPeriods.Key(LeaderboardPeriods.Month, trip.EndedAt));
        await Poll.UntilAsync(() => month.GetStandings().AsTask().Result.Entries.Any(e => e.Vin == vin), TimeSpan.FromSeconds(10));
        var entry = (await month.GetStandings()).Entries.Single(e => e.Vin == vin);
        Assert.Equal((1, trip.EcoScore), (entry.Trips, entry.EcoScore));
    }

    [Fact]
    public async Task A_twin_deactivated_in_the_middle_of_a_trip_resumes_it_and_stores_one_trip_from_the_real_start()
    {
        var vin = NewVin();
        var grain = fixture.Grains.GetGrain<IVehicleGrain>(vin);
        var trace = Drive();
        var half = trace.Messages.Count / 2;
        foreach (var message in trace.Messages.Take(half))
        {
            await grain.ApplyTelemetry(message);
        }

        Assert.NotNull((await fixture.Trips.LoadProgressAsync(vin, CancellationToken.None))?.Trip);
        await grain.Reload(storedVersion: long.MaxValue);
        await Poll.UntilAsync(() => fixture.Store.LoadAsync(vin, CancellationToken.None).AsTask().Result is not null, TimeSpan.FromSeconds(10));

        foreach (var message in trace.Messages.Skip(half))
        {
            await grain.ApplyTelemetry(message);
        }

        var trip = Assert.Single(await fixture.Trips.ListTripsAsync(vin, From, To, 10, CancellationToken.None));
        Assert.Equal(trace.Messages.First(m => m.Signals.Any(s => s.Name == "Vehicle.Speed" && s.Value.Number >= 5)).Ts, trip.StartedAt.ToUnixTimeMilliseconds());
        Assert.Equal(trace.DrivenKm, trip.DistanceKm, 0.002);
    }

    [Fact]
    public async Task Repeated_harsh_acceleration_sends_the_driver_one_eco_tip_on_the_notifications_topic_and_stream()
    {
        var vin = NewVin();
        var grain = fixture.Grains.GetGrain<IVehicleGrain>(vin);
        var gateway = new RecordingCarLink();
        var link = fixture.Cluster.Client.CreateObjectReference<ICarLink>(gateway);
        await grain.ConnectionOpened("s1", DateTimeOffset.UtcNow);
        await grain.CommandChannelOpened("s1", link);
        var trace = Drive(t =>
        {
            for (var i = 0; i < 5; i++)
            {
                t.Hold(1, 50, longitudinal: 3.8).Hold(20, 50);
            }
        });

        foreach (var message in trace.Messages)
        {
            await grain.ApplyTelemetry(message);
        }

        await Poll.UntilAsync(() => !gateway.Delivered.IsEmpty, TimeSpan.FromSeconds(10));
        var tip = Assert.IsType<NotificationMessage>(Assert.Single(gateway.Delivered));
        Assert.Equal(NotificationTypes.EcoTip, tip.Type);
        Assert.Contains("evidence", tip.DataJson, StringComparison.Ordinal);
        Assert.Single((await grain.Watch(null)).OfType<NotificationSent>());
        var trip = Assert.Single(await fixture.Trips.ListTripsAsync(vin, From, To, 10, CancellationToken.None));
        Assert.Equal(5, trip.Counts.HarshAcceleration);
        GC.KeepAlive(gateway);
    }
}
