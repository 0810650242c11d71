using System.Collections.Concurrent;
using System.Text.Json;
using DigitalTwin.Contract.Events;
using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Crash;
using DigitalTwin.Grains.Abstractions.Vehicles;
using Orleans.Streams;

namespace DigitalTwin.Grains.Tests.Vehicles;

[Collection(ClusterCollection.Name)]
public sealed class VehicleGrainCrashTests(ClusterFixture fixture)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private static int _next;

    private static string NewVin() => $"WDD2030461C{Interlocked.Increment(ref _next):D6}";

    private static TelemetryMessage Airbag(long seq, long ts = 1764028800000) => new(
        ts,
        seq,
        [
            new SignalSample(SignalCatalogue.SeatSignal(1, 1, "Airbag.IsDeployed"), SignalValue.FromBoolean(true)),
            new SignalSample(SignalCatalogue.SeatSignal(1, 1, "IsOccupied"), SignalValue.FromBoolean(true)),
            new SignalSample(SignalCatalogue.Latitude, SignalValue.FromNumber(52.52)),
            new SignalSample(SignalCatalogue.Longitude, SignalValue.FromNumber(13.405)),
        ],
        T0);

    [Fact]
    public async Task Crash_is_raised_when_airbag_deploys_and_stored_before_the_call_returns()
    {
        var vin = NewVin();
        var grain = fixture.Grains.GetGrain<IVehicleGrain>(vin);

        await grain.ApplyTelemetry(Airbag(1));

        var stored = Assert.Single(await fixture.Alerts.ListAsync(vin, 10, CancellationToken.None));
        Assert.Equal(CrashTrigger.Airbag, stored.Incident.Trigger);
        Assert.Equal(1, stored.Incident.Occupants);
        Assert.Equal(52.52, stored.Incident.Position!.Latitude);
        var twin = await grain.GetTwin();
        Assert.Equal(stored.Id, twin.Crash!.Id);
        Assert.Equal(AlertStatus.Open, twin.Crash.Status);
    }

    [Fact]
    public async Task The_store_gets_the_version_the_alert_event_took_not_only_the_one_before()
    {
        var vin = NewVin();
        var grain = fixture.Grains.GetGrain<IVehicleGrain>(vin);
        await grain.ApplyTelemetry(Airbag(1));
        var alertId = (await grain.GetTwin()).Crash!.Id;
        await StoredVersionAsync(vin, (await grain.GetTwin()).Version);

        // Quiet for longer than the flush interval, so the acknowledgement stages at once; the alert event's own id
        // bumps the version after that, and the store must still end up with it.
        await Task.Delay(200);
        await grain.AcknowledgeAlert(alertId, "operator");

        var version = (await grain.GetTwin()).Version;
        Assert.Equal(version, await StoredVersionAsync(vin, version));
    }

    private async Task<long?> StoredVersionAsync(string vin, long expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var stored = (await fixture.Store.LoadAsync(vin, CancellationToken.None))?.Version;
            if (stored == expected || DateTime.UtcNow > deadline)
            {
                return stored;
            }

            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task A_repeated_trigger_updates_the_same_alert_instead_of_raising_another()
    {
        var vin = NewVin();
        var grain = fixture.Grains.GetGrain<IVehicleGrain>(vin);
        await grain.ApplyTelemetry(Airbag(1));

        await grain.ApplyEvent(new VehicleEvent(1764028801000, 1, "SosButton", "{}", T0));

        var alert = Assert.Single(await grain.GetAlerts(10));
        Assert.True(alert.Incident.Triggers.HasFlag(CrashTrigger.SosButton));
        Assert.Equal(2, alert.Incident.Revision);
    }

    [Fact]
    public async Task An_operator_acknowledges_then_resolves_and_cannot_go_back()
    {
        var vin = NewVin();
        var grain = fixture.Grains.GetGrain<IVehicleGrain>(vin);
        await grain.ApplyTelemetry(Airbag(1));
        var id = (await grain.GetTwin()).Crash!.Id;

        var ack = await grain.AcknowledgeAlert(id, "ops-1");
        var ackAgain = await grain.AcknowledgeAlert(id, "ops-2");
        var resolved = await grain.ResolveAlert(id, "ops-1");
        var backwards = await grain.AcknowledgeAlert(id, "ops-1");
        var unknown = await grain.ResolveAlert("nope", "ops-1");

        Assert.Equal(AlertChange.Changed, ack.Change);
        Assert.Equal("ops-1", ack.Alert!.AcknowledgedBy);
        Assert.Equal(AlertChange.Unchanged, ackAgain.Change);
        Assert.Equal(AlertChange.Changed, resolved.Change);
        Assert.Equal(AlertChange.Conflict, backwards.Change);
        Assert.Equal(AlertChange.NotFound, unknown.Change);
        Assert.Equal(AlertStatus.Resolved, (await grain.GetTwin()).Crash!.Status);
        Assert.Equal(AlertStatus.Resolved, Assert.Single(await fixture.Alerts.ListAsync(vin, 10, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task The_alert_reaches_the_fleet_wide_alert_stream()
    {
        var vin = NewVin();
        var received = new ConcurrentQueue<CrashAlert>();
        var stream = fixture.Cluster.Client.GetStreamProvider(VehicleStreams.ProviderName)
            .GetStream<CrashAlert>(StreamId.Create(AlertStreams.Namespace, AlertStreams.FleetKey));
        var handle = await stream.SubscribeAsync((a, _) =>
        {
            received.Enqueue(a);
            return Task.CompletedTask;
        });

        try
        {
            await fixture.Grains.GetGrain<IVehicleGrain>(vin).ApplyTelemetry(Airbag(1));

            await Poll.UntilAsync(() => received.Any(a => a.Vin == vin), TimeSpan.FromSeconds(10));
        }
        finally
        {
            await handle.UnsubscribeAsync();
        }
    }

    [Fact]
    public async Task The_car_gets_an_emergency_ack_through_its_gateway_once_it_listens_for_commands()
    {
        var vin = NewVin();
        var gateway = new RecordingCarLink();
        var link = fixture.Cluster.Client.CreateObjectReference<ICarLink>(gateway);
        var grain = fixture.Grains.GetGrain<IVehicleGrain>(vin);
        await grain.ConnectionOpened("s1", T0);
        await grain.ApplyTelemetry(Airbag(1));
        Assert.Empty(gateway.Delivered);

        await grain.CommandChannelOpened("s1", link);

        await Poll.UntilAsync(() => !gateway.Delivered.IsEmpty, TimeSpan.FromSeconds(10));
        var message = Assert.Single(gateway.Delivered);
        Assert.Equal($"vehicles/{vin}/commands", message.Topic);
        using var doc = JsonDocument.Parse(message.ToPayload());
        Assert.Equal("emergency.ack", doc.RootElement.GetProperty("name").GetString());
        Assert.Equal((await grain.GetTwin()).Crash!.Id, doc.RootElement.GetProperty("params").GetProperty("alertId").GetString());
        GC.KeepAlive(gateway);
    }

    [Fact]
    public async Task Ordinary_driving_raises_nothing()
    {
        var vin = NewVin();
        var grain = fixture.Grains.GetGrain<IVehicleGrain>(vin);

        for (var i = 1; i <= 20; i++)
        {
            await grain.ApplyTelemetry(new TelemetryMessage(1764028800000 + (i * 100), i,
                [new SignalSample(SignalCatalogue.Speed, SignalValue.FromNumber(50 + i)), new SignalSample(SignalCatalogue.AccelerationLongitudinal, SignalValue.FromNumber(1.5))], T0));
        }

        Assert.Null((await grain.GetTwin()).Crash);
        Assert.Empty(await grain.GetAlerts(10));
    }
}
