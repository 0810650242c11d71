namespace DigitalTwin.Bench;

/// <summary>
/// A silo in a process of its own, seen from the generator: what it took in is what it acknowledged. At QoS 1 the
/// silo sends a PUBACK only once the twin applied the message (and, with <c>Kafka:DurableIngest</c>, once Kafka has its
/// record), so the fleet's PUBACK count is the silo's applied count, without reading anything from inside the silo.
/// Completed publishes (acknowledged or failed) hand back the fleet's closed-loop credit every few milliseconds.
/// </summary>
public sealed class AckCounter : IBenchTarget
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(5);

    private readonly Fleet _fleet;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public AckCounter(Fleet fleet, int port)
    {
        _fleet = fleet;
        Port = port;
        _loop = Task.Run(RunAsync);
    }

    public string Name => "digitaltwin-process";

    public string Description => "publishes the silo acknowledged (QoS 1: applied to the twin, and in Kafka when durable)";

    public int Port { get; }

    public long Received => _fleet.Published;

    public Action<int>? ProcessedListener { get; set; }

    public Task StartAsync(CancellationToken cancel) => Task.CompletedTask;

    public Task<LossCheck?> VerifyAsync(Fleet fleet, CancellationToken cancel) => Task.FromResult<LossCheck?>(null);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        var last = _fleet.Published + _fleet.Failed;
        using var timer = new PeriodicTimer(Tick);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var now = _fleet.Published + _fleet.Failed;
                if (now > last)
                {
                    ProcessedListener?.Invoke((int)Math.Min(now - last, int.MaxValue));
                    last = now;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }
}
