namespace DigitalTwin.Persistence.WriteBehind;

/// <summary>
/// Orders the writes that share one PostgreSQL server. Bulk writes (a snapshot upsert batch, a history COPY) run one at
/// a time: on a small machine two of them at once keep a database backend and a thread busy each, which is both cores.
/// Urgent writes (a crash alert, which someone waits for) never wait here, but while one is in flight no bulk statement
/// starts: in the crash benchmark two thirds of the slow alert saves overlapped a bulk statement, which covered a fifth
/// of the time. A bulk writer defers for at most <see cref="MaxDeferral"/>, so a flood of alerts cannot stall the write
/// behind. The history writer takes one turn per COPY; the snapshot flush takes one turn for everything pending and
/// defers between its batches too.
/// </summary>
public sealed class BulkWriteGate(TimeProvider? timeProvider = null)
{
    /// <summary>The longest a bulk statement waits for urgent writes in flight before it starts anyway.</summary>
    public static readonly TimeSpan MaxDeferral = TimeSpan.FromMilliseconds(250);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly Lock _sync = new();
    private int _urgent;

    // Completed while no urgent write is in flight; bulk writers wait on it.
    private TaskCompletionSource _clear = Completed();

    /// <summary>Urgent writes in flight now.</summary>
    public int UrgentInFlight
    {
        get
        {
            lock (_sync)
            {
                return _urgent;
            }
        }
    }

    /// <summary>Marks an urgent write in flight until the scope is disposed. Never waits.</summary>
    public UrgentScope EnterUrgent()
    {
        lock (_sync)
        {
            if (_urgent++ == 0)
            {
                _clear = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        return new UrgentScope(this);
    }

    /// <summary>
    /// Waits for the bulk writers' turn, then for any urgent write in flight (see <see cref="MaxDeferral"/>): in that
    /// order, because the turn may come after a long wait, and an alert that began meanwhile must still go first.
    /// </summary>
    public async Task<Releaser> EnterAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await YieldAsync(cancellationToken);
        }
        catch
        {
            _gate.Release();
            throw;
        }

        return new Releaser(_gate);
    }

    /// <summary>
    /// For a bulk writer between two statements of one turn: returns once no urgent write is in flight, or after
    /// <see cref="MaxDeferral"/>.
    /// </summary>
    public async Task YieldAsync(CancellationToken cancellationToken)
    {
        Task clear;
        lock (_sync)
        {
            clear = _clear.Task;
        }

        if (clear.IsCompleted)
        {
            return;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var deferral = Task.Delay(MaxDeferral, _time, stop.Token);
        await Task.WhenAny(clear, deferral);
        await stop.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }

    private void ExitUrgent()
    {
        TaskCompletionSource? cleared = null;
        lock (_sync)
        {
            if (_urgent == 0)
            {
                // A scope disposed twice would otherwise leave the count negative, and bulk writes never deferred again.
                throw new InvalidOperationException("More urgent writes ended than began.");
            }

            if (--_urgent == 0)
            {
                cleared = _clear;
            }
        }

        cleared?.TrySetResult();
    }

    private static TaskCompletionSource Completed()
    {
        var completed = new TaskCompletionSource();
        completed.SetResult();
        return completed;
    }

    public readonly struct Releaser(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }

    public readonly struct UrgentScope(BulkWriteGate gate) : IDisposable
    {
        public void Dispose() => gate?.ExitUrgent();
    }
}
