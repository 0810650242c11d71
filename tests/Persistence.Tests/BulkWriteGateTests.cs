using DigitalTwin.Persistence.WriteBehind;
using Microsoft.Extensions.Time.Testing;

namespace DigitalTwin.Persistence.Tests;

public sealed class BulkWriteGateTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_second_bulk_write_waits_until_the_first_is_done()
    {
        var gate = new BulkWriteGate();
        var first = await gate.EnterAsync(CancellationToken.None);

        var second = gate.EnterAsync(CancellationToken.None);
        Assert.False(second.IsCompleted);

        first.Dispose();
        using var entered = await second.WaitAsync(Deadline);
    }

    [Fact]
    public async Task A_waiting_writer_that_is_cancelled_does_not_hold_the_gate()
    {
        var gate = new BulkWriteGate();
        var first = await gate.EnterAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();

        var waiting = gate.EnterAsync(cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);

        first.Dispose();
        using var next = await gate.EnterAsync(CancellationToken.None).WaitAsync(Deadline);
    }

    [Fact]
    public async Task A_bulk_write_does_not_start_while_an_alert_is_being_stored()
    {
        var gate = new BulkWriteGate(new FakeTimeProvider());
        var alert = gate.EnterUrgent();

        var bulk = gate.EnterAsync(CancellationToken.None);
        Assert.False(bulk.IsCompleted);

        alert.Dispose();
        using var entered = await bulk.WaitAsync(Deadline);
        Assert.Equal(0, gate.UrgentInFlight);
    }

    [Fact]
    public async Task A_bulk_write_waits_for_every_alert_in_flight_not_just_the_first()
    {
        var gate = new BulkWriteGate(new FakeTimeProvider());
        var first = gate.EnterUrgent();
        var second = gate.EnterUrgent();

        var bulk = gate.EnterAsync(CancellationToken.None);
        first.Dispose();
        Assert.Equal(1, gate.UrgentInFlight);
        Assert.False(bulk.IsCompleted);

        second.Dispose();
        using var entered = await bulk.WaitAsync(Deadline);
    }

    [Fact]
    public async Task A_flood_of_alerts_defers_a_bulk_write_only_for_the_longest_deferral()
    {
        var time = new FakeTimeProvider();
        var gate = new BulkWriteGate(time);
        using var alert = gate.EnterUrgent();

        var bulk = gate.EnterAsync(CancellationToken.None);
        time.Advance(BulkWriteGate.MaxDeferral - TimeSpan.FromMilliseconds(1));
        Assert.False(bulk.IsCompleted);

        time.Advance(TimeSpan.FromMilliseconds(1));
        using var entered = await bulk.WaitAsync(Deadline);
        Assert.Equal(1, gate.UrgentInFlight);
    }

    [Fact]
    public async Task An_alert_is_never_held_up_by_a_bulk_write_in_progress()
    {
        var gate = new BulkWriteGate(new FakeTimeProvider());
        using var bulk = await gate.EnterAsync(CancellationToken.None);

        using var alert = gate.EnterUrgent();

        Assert.Equal(1, gate.UrgentInFlight);
        Assert.True(gate.YieldAsync(CancellationToken.None) is { IsCompleted: false });
    }

    [Fact]
    public async Task A_bulk_writer_deferred_for_alerts_can_be_cancelled()
    {
        var gate = new BulkWriteGate(new FakeTimeProvider());
        using var alert = gate.EnterUrgent();
        using var cancel = new CancellationTokenSource();

        var bulk = gate.EnterAsync(cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => bulk.WaitAsync(Deadline));
    }

    [Fact]
    public async Task A_bulk_writer_whose_turn_comes_while_an_alert_is_in_flight_still_lets_the_alert_go_first()
    {
        var gate = new BulkWriteGate(new FakeTimeProvider());
        var snapshotFlush = await gate.EnterAsync(CancellationToken.None);
        var historyCopy = gate.EnterAsync(CancellationToken.None);

        var alert = gate.EnterUrgent();
        snapshotFlush.Dispose();
        Assert.False(historyCopy.IsCompleted);

        alert.Dispose();
        using var entered = await historyCopy.WaitAsync(Deadline);
    }

    [Fact]
    public void Ending_an_urgent_write_twice_is_refused_rather_than_miscounted()
    {
        var gate = new BulkWriteGate(new FakeTimeProvider());
        var alert = gate.EnterUrgent();
        alert.Dispose();

        Assert.Throws<InvalidOperationException>(alert.Dispose);
        Assert.Equal(0, gate.UrgentInFlight);
    }

    [Fact]
    public void Yielding_with_no_alert_in_flight_returns_at_once()
    {
        var gate = new BulkWriteGate(new FakeTimeProvider());

        Assert.True(gate.YieldAsync(CancellationToken.None).IsCompletedSuccessfully);
    }
}
