namespace DigitalTwin.Persistence.WriteBehind;

/// <summary>
/// Lets one bulk write (a snapshot upsert batch or a history COPY) run at a time. On a small machine two of them at
/// once keep a database backend and a thread busy each, which is both cores, and an alert written in that moment
/// waits behind them; one at a time always leaves room for the writes somebody is waiting for. Batches are released
/// between statements, so neither writer starves the other.
/// </summary>
public sealed class BulkWriteGate
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<Releaser> EnterAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        return new Releaser(_gate);
    }

    public readonly struct Releaser(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
