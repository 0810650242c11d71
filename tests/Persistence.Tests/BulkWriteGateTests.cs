using DigitalTwin.Persistence.WriteBehind;

namespace DigitalTwin.Persistence.Tests;

public sealed class BulkWriteGateTests
{
    [Fact]
    public async Task A_second_bulk_write_waits_until_the_first_is_done()
    {
        var gate = new BulkWriteGate();
        var first = await gate.EnterAsync(CancellationToken.None);

        var second = gate.EnterAsync(CancellationToken.None);
        Assert.False(second.IsCompleted);

        first.Dispose();
        using var entered = await second.WaitAsync(TimeSpan.FromSeconds(10));
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
        using var next = await gate.EnterAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
    }
}
