using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Telemetry;
using DigitalTwin.Grains.Abstractions.Vehicles;

namespace DigitalTwin.Grains.Tests.Vehicles;

[Collection(ClusterCollection.Name)]
public sealed class VehicleGrainTests(ClusterFixture fixture)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private static int _next;

    /// <summary>Each test its own car, so tests sharing the cluster cannot see each other's twins.</summary>
    private static string NewVin() => $"WDD2030461A{Interlocked.Increment(ref _next):D6}";

    private static TelemetryMessage Speed(long seq, double kmh) =>
        new(1764028800000 + seq, seq, [new SignalSample(SignalCatalogue.Speed, SignalValue.FromNumber(kmh))], T0.AddSeconds(seq));

    [Fact]
    public async Task A_twin_that_never_heard_from_its_car_is_empty()
    {
        var twin = await fixture.Grains.GetGrain<IVehicleGrain>(NewVin()).GetTwin();

        Assert.True(twin.IsEmpty);
        Assert.Empty(twin.Signals);
    }

    [Fact]
    public async Task Telemetry_applied_through_the_grain_is_in_the_twin()
    {
        var vin = NewVin();
        var grain = fixture.Grains.GetGrain<IVehicleGrain>(vin);

        var result = await grain.ApplyTelemetry(Speed(1, 87.5));
        var twin = await grain.GetTwin();

        Assert.Equal(ApplyOutcome.Applied, result.Outcome);
        Assert.Equal(vin, twin.Vin);
        Assert.Equal(87.5, twin.Signals[SignalCatalogue.Speed].Value.Number);
        Assert.Equal(1764028800001, twin.Signals[SignalCatalogue.Speed].Ts);
        Assert.Equal(1, twin.Version);
        Assert.Equal(T0.AddSeconds(1), twin.LastSeenAt);
    }

    [Fact]
    public async Task Persisting_stages_the_twin_at_once_and_reports_the_seqs_storage_holds()
    {
        var vin = NewVin();
        var grain = fixture.Grains.GetGrain<IVehicleGrain>(vin);
        await grain.ApplyTelemetry(Speed(3, 30));
        await grain.ApplyTelemetry(Speed(4, 40));

        var persisted = await grain.Persist();

        Assert.Equal(new PersistedTwin(true, 4, -1), persisted);
        var stored = await fixture.Store.LoadAsync(vin, CancellationToken.None);
        Assert.Equal(4, stored!.LastTelemetrySeq);
    }

    [Fact]
    public async Task The_grain_applies_the_seq_rule()
    {
        var grain = fixture.Grains.GetGrain<IVehicleGrain>(NewVin());
        await grain.ApplyTelemetry(Speed(2, 20));

        var duplicate = await grain.ApplyTelemetry(Speed(2, 99));
        var stale = await grain.ApplyTelemetry(Speed(1, 99));
        var twin = await grain.GetTwin();

        Assert.Equal(ApplyOutcome.Duplicate, duplicate.Outcome);
        Assert.Equal(ApplyOutcome.Duplicate, stale.Outcome);
        Assert.Equal(20, twin.Signals[SignalCatalogue.Speed].Value.Number);
        Assert.Equal(1, twin.Version);
    }

    [Fact]
    public async Task Connectivity_drives_online()
    {
        var grain = fixture.Grains.GetGrain<IVehicleGrain>(NewVin());

        await grain.ConnectionOpened("gw:1", T0);
        Assert.True((await grain.GetTwin()).Online);

        await grain.ConnectionClosed("gw:1", T0.AddSeconds(1));
        var twin = await grain.GetTwin();
        Assert.False(twin.Online);
        Assert.Equal(T0.AddSeconds(1), twin.LastSeenAt);
    }

    [Fact]
    public async Task The_late_close_of_an_older_session_does_not_take_the_car_offline()
    {
        var grain = fixture.Grains.GetGrain<IVehicleGrain>(NewVin());
        await grain.ConnectionOpened("silo-a:1", T0);
        await grain.ConnectionOpened("silo-b:7", T0.AddSeconds(1));

        await grain.ConnectionClosed("silo-a:1", T0.AddSeconds(2));

        Assert.True((await grain.GetTwin()).Online);
    }

    [Fact]
    public async Task The_status_document_sets_online()
    {
        var grain = fixture.Grains.GetGrain<IVehicleGrain>(NewVin());
        await grain.ConnectionOpened("gw:1", T0);

        await grain.ReportStatus(false, T0.AddSeconds(1));

        Assert.False((await grain.GetTwin()).Online);
    }

    [Fact]
    public async Task A_twin_reaches_a_client_as_the_plain_signal_map_it_always_was()
    {
        var grain = fixture.Grains.GetGrain<IVehicleGrain>(NewVin());
        await grain.ApplyTelemetry(new TelemetryMessage(1764028800001, 1, [new(SignalCatalogue.Speed, SignalValue.FromNumber(50)), new("Vehicle.Custom.Mode", SignalValue.FromText("eco"))], T0));

        // Through the client, so serialized: a silo of the previous release must read it too.
        var twin = await grain.GetTwin();

        var signals = Assert.IsType<Dictionary<string, SignalReading>>(twin.Signals);
        Assert.Equal(2, signals.Count);
        Assert.Equal(new SignalReading(SignalValue.FromNumber(50), 1764028800001), signals[SignalCatalogue.Speed]);
        Assert.Equal("eco", signals["Vehicle.Custom.Mode"].Value.Text);
    }

    [Fact]
    public async Task A_changed_twin_reaches_the_snapshot_store_within_the_flush_interval()
    {
        var vin = NewVin();
        await fixture.Grains.GetGrain<IVehicleGrain>(vin).ApplyTelemetry(Speed(3, 33));

        var stored = await PollAsync(async () => await fixture.Store.LoadAsync(vin, CancellationToken.None), s => s is not null, TimeSpan.FromSeconds(10));

        Assert.Equal(3, stored!.LastTelemetrySeq);
        Assert.Equal(33, stored.Signals[SignalCatalogue.Speed].Value.Number);
    }

    [Fact]
    public async Task A_twin_that_staged_nothing_lately_hands_its_change_to_the_store_before_the_call_returns()
    {
        var vin = NewVin();

        await fixture.Grains.GetGrain<IVehicleGrain>(vin).ApplyTelemetry(Speed(4, 44));

        var stored = await fixture.Store.LoadAsync(vin, CancellationToken.None);
        Assert.Equal(4, stored!.LastTelemetrySeq);
    }

    [Fact]
    public async Task Changes_right_after_a_stage_reach_the_store_at_the_next_flush()
    {
        var vin = NewVin();
        var grain = fixture.Grains.GetGrain<IVehicleGrain>(vin);
        await grain.ApplyTelemetry(Speed(1, 10));

        await grain.ApplyTelemetry(Speed(2, 20));
        await grain.ApplyTelemetry(Speed(3, 30));

        var stored = await PollAsync(async () => await fixture.Store.LoadAsync(vin, CancellationToken.None), s => s?.LastTelemetrySeq == 3, TimeSpan.FromSeconds(10));
        Assert.Equal(3, stored!.LastTelemetrySeq);
        Assert.Equal(30, stored.Signals[SignalCatalogue.Speed].Value.Number);
        Assert.Equal((await grain.GetTwin()).Version, stored.Version);
    }

    [Fact]
    public async Task A_grain_activates_from_its_stored_snapshot()
    {
        var vin = NewVin();
        fixture.Store.Stage(new TwinSnapshot
        {
            Vin = vin,
            Version = 41,
            LastTelemetrySeq = 500,
            Signals = new Dictionary<string, SignalReading> { [SignalCatalogue.Speed] = new(SignalValue.FromNumber(12), 99) },
        });
        var grain = fixture.Grains.GetGrain<IVehicleGrain>(vin);

        var stale = await grain.ApplyTelemetry(Speed(500, 1));
        var fresh = await grain.ApplyTelemetry(Speed(501, 2));
        var twin = await grain.GetTwin();

        Assert.Equal(ApplyOutcome.Duplicate, stale.Outcome);
        Assert.Equal(ApplyOutcome.Applied, fresh.Outcome);
        Assert.Equal(42, twin.Version);
    }

    [Fact]
    public async Task An_activation_that_lost_to_a_newer_stored_snapshot_reloads_it()
    {
        var vin = NewVin();
        var grain = fixture.Grains.GetGrain<IVehicleGrain>(vin);
        await grain.ApplyTelemetry(Speed(1, 10));
        fixture.Store.Stage(new TwinSnapshot
        {
            Vin = vin,
            Version = 5,
            LastTelemetrySeq = 9,
            Signals = new Dictionary<string, SignalReading> { [SignalCatalogue.Speed] = new(SignalValue.FromNumber(99), 9) },
        });

        await grain.Reload(storedVersion: 5);

        var twin = await PollAsync(() => grain.GetTwin().AsTask(), t => t.Version == 5, TimeSpan.FromSeconds(10));
        Assert.Equal(99, twin.Signals[SignalCatalogue.Speed].Value.Number);
    }

    [Fact]
    public async Task An_activation_already_past_the_stored_version_keeps_its_state()
    {
        var grain = fixture.Grains.GetGrain<IVehicleGrain>(NewVin());
        await grain.ApplyTelemetry(Speed(1, 10));
        await grain.ApplyTelemetry(Speed(2, 20));
        await grain.ApplyTelemetry(Speed(3, 30));

        await grain.Reload(storedVersion: 2);

        var twin = await grain.GetTwin();
        Assert.Equal(3, twin.Version);
        Assert.Equal(30, twin.Signals[SignalCatalogue.Speed].Value.Number);
    }

    private static async Task<T> PollAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await probe();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task The_hot_path_reference_reaches_the_same_twin_as_GetGrain()
    {
        var vin = NewVin();

        await fixture.Grains.GetVehicle(vin).ApplyTelemetry(Speed(1, 42));
        var twin = await fixture.Grains.GetGrain<IVehicleGrain>(vin).GetTwin();

        Assert.Equal(fixture.Grains.GetGrain<IVehicleGrain>(vin).GetGrainId(), fixture.Grains.GetVehicle(vin).GetGrainId());
        Assert.Equal(42, twin.Signals[SignalCatalogue.Speed].Value.Number);
    }
}
