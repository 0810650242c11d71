using DigitalTwin.Contract.Events;
using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Telemetry;
using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Grains.Vehicles;

namespace DigitalTwin.Grains.Tests.Vehicles;

public sealed class TwinStateTests
{
    private const string Vin = "WDD2030461A123456";
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    private static TelemetryMessage Telemetry(long seq, double speed, long ts = 1000, DateTimeOffset? receivedAt = null) =>
        new(ts, seq, [new SignalSample(SignalCatalogue.Speed, SignalValue.FromNumber(speed))], receivedAt ?? T0.AddSeconds(seq));

    [Fact]
    public void Applying_a_document_sets_each_signal_with_its_sample_time_and_bumps_the_version()
    {
        var state = new TwinState(Vin);

        var result = state.Apply(Telemetry(seq: 1, speed: 50, ts: 1764028800123));

        Assert.Equal(ApplyOutcome.Applied, result.Outcome);
        Assert.Equal(new SignalReading(SignalValue.FromNumber(50), 1764028800123), state.Signals[SignalCatalogue.Speed]);
        Assert.Equal(1, state.Version);
        Assert.Equal(1, state.LastTelemetrySeq);
        Assert.Equal(T0.AddSeconds(1), state.LastSeenAt);
    }

    [Fact]
    public void A_seq_of_zero_is_a_valid_first_document()
    {
        var state = new TwinState(Vin);

        Assert.Equal(ApplyOutcome.Applied, state.Apply(Telemetry(seq: 0, speed: 1)).Outcome);
    }

    [Fact]
    public void A_duplicate_seq_changes_nothing()
    {
        var state = new TwinState(Vin);
        state.Apply(Telemetry(seq: 5, speed: 50));

        var result = state.Apply(Telemetry(seq: 5, speed: 99));

        Assert.Equal(ApplyOutcome.Duplicate, result.Outcome);
        Assert.Equal(50, state.Signals[SignalCatalogue.Speed].Value.Number);
        Assert.Equal(1, state.Version);
    }

    [Fact]
    public void A_stale_seq_changes_nothing_even_when_it_arrives_later()
    {
        var state = new TwinState(Vin);
        state.Apply(Telemetry(seq: 10, speed: 50));

        var result = state.Apply(Telemetry(seq: 3, speed: 99, receivedAt: T0.AddHours(1)));

        Assert.Equal(ApplyOutcome.Duplicate, result.Outcome);
        Assert.Equal(50, state.Signals[SignalCatalogue.Speed].Value.Number);
        Assert.Equal(T0.AddSeconds(10), state.LastSeenAt);
    }

    [Fact]
    public void Events_have_their_own_seq_so_telemetry_and_events_do_not_shadow_each_other()
    {
        var state = new TwinState(Vin);
        state.Apply(Telemetry(seq: 100, speed: 1));

        var first = state.Apply(new VehicleEvent(1, 1, "SosButton", "{}", T0));
        var again = state.Apply(new VehicleEvent(1, 1, "SosButton", "{}", T0));

        Assert.Equal(ApplyOutcome.Applied, first.Outcome);
        Assert.Equal(ApplyOutcome.Duplicate, again.Outcome);
    }

    [Fact]
    public void New_signal_names_beyond_the_limit_are_dropped_and_counted_while_known_ones_still_update()
    {
        var state = new TwinState(Vin, maxSignals: 2);
        state.Apply(new TelemetryMessage(1, 1, [new("Vehicle.A", SignalValue.FromNumber(1)), new("Vehicle.B", SignalValue.FromNumber(2))], T0));

        var result = state.Apply(new TelemetryMessage(2, 2, [new("Vehicle.C", SignalValue.FromNumber(3)), new("Vehicle.A", SignalValue.FromNumber(10))], T0));

        Assert.Equal(1, result.SignalsDropped);
        Assert.False(state.Signals.ContainsKey("Vehicle.C"));
        Assert.Equal(10, state.Signals["Vehicle.A"].Value.Number);
    }

    [Fact]
    public void Connectivity_sets_online_and_last_seen()
    {
        var state = new TwinState(Vin);

        Assert.True(state.ReportConnectivity(true, T0));
        Assert.True(state.Online);
        Assert.Equal(T0, state.LastSeenAt);

        Assert.True(state.ReportConnectivity(false, T0.AddMinutes(1)));
        Assert.False(state.Online);
        Assert.Equal(T0.AddMinutes(1), state.LastSeenAt);
    }

    [Fact]
    public void An_older_connectivity_notice_cannot_undo_a_newer_one()
    {
        var state = new TwinState(Vin);
        state.ReportConnectivity(true, T0.AddSeconds(10));

        var changed = state.ReportConnectivity(false, T0.AddSeconds(5));

        Assert.False(changed);
        Assert.True(state.Online);
    }

    [Fact]
    public void A_snapshot_round_trips_into_an_equal_state()
    {
        var state = new TwinState(Vin);
        state.Apply(Telemetry(seq: 7, speed: 42));
        state.ReportConnectivity(true, T0.AddMinutes(5));

        var restored = new TwinState(state.ToSnapshot());

        Assert.Equal(state.Version, restored.Version);
        Assert.Equal(7, restored.LastTelemetrySeq);
        Assert.True(restored.Online);
        Assert.Equal(state.Signals[SignalCatalogue.Speed], restored.Signals[SignalCatalogue.Speed]);
        Assert.Equal(ApplyOutcome.Duplicate, restored.Apply(Telemetry(seq: 7, speed: 1)).Outcome);
    }

    [Fact]
    public void A_snapshot_is_a_copy_that_later_changes_do_not_touch()
    {
        var state = new TwinState(Vin);
        state.Apply(Telemetry(seq: 1, speed: 10));
        var snapshot = state.ToSnapshot();

        state.Apply(Telemetry(seq: 2, speed: 20));

        Assert.Equal(10, snapshot.Signals[SignalCatalogue.Speed].Value.Number);
        Assert.Equal(1, snapshot.Version);
    }

    [Fact]
    public void A_twin_and_its_snapshot_share_one_signal_table_until_the_car_sends_again()
    {
        var state = new TwinState(Vin);
        state.Apply(Telemetry(seq: 1, speed: 10));

        var snapshot = state.ToSnapshot();
        var restored = new TwinState(snapshot);

        Assert.Same(snapshot.Signals, state.Signals);
        Assert.Same(snapshot.Signals, restored.Signals);

        state.Apply(Telemetry(seq: 2, speed: 20));
        restored.Apply(Telemetry(seq: 2, speed: 30));

        Assert.NotSame(snapshot.Signals, state.Signals);
        Assert.NotSame(state.Signals, restored.Signals);
        Assert.Equal(10, snapshot.Signals[SignalCatalogue.Speed].Value.Number);
        Assert.Equal(20, state.Signals[SignalCatalogue.Speed].Value.Number);
        Assert.Equal(30, restored.Signals[SignalCatalogue.Speed].Value.Number);
    }

    [Fact]
    public void A_twin_keeps_the_latest_reading_of_each_signal_from_a_plain_snapshot()
    {
        var state = new TwinState(new TwinSnapshot
        {
            Vin = Vin,
            Version = 3,
            LastTelemetrySeq = 3,
            Signals = new Dictionary<string, SignalReading> { ["Vehicle.A"] = new(SignalValue.FromNumber(1), 5), [SignalCatalogue.Speed] = new(SignalValue.FromNumber(2), 5) },
        });

        state.Apply(Telemetry(seq: 4, speed: 40, ts: 6));

        Assert.Equal(2, state.Signals.Count);
        Assert.Equal(new SignalReading(SignalValue.FromNumber(1), 5), state.Signals["Vehicle.A"]);
        Assert.Equal(new SignalReading(SignalValue.FromNumber(40), 6), state.Signals[SignalCatalogue.Speed]);
    }
}
