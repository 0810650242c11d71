namespace DigitalTwin.Bench.Outside;

/// <summary>
/// Debian's Mosquitto relaying every telemetry publish to one <c>mosquitto_sub</c>: both processes of their own
/// (<see cref="MosquittoTarget"/>); the bench only counts the subscriber's output lines.
/// </summary>
public sealed class MosquittoRelayTarget : IOutsideTarget
{
    private readonly MosquittoTarget _inner = new();

    public string Name => _inner.Name;

    public string Description => _inner.Description;

    public int[] Ports => [_inner.Port];

    public Task StartAsync(CancellationToken cancel) => _inner.StartAsync(cancel);

    public ValueTask<long> ReceivedAsync(CancellationToken cancel) => ValueTask.FromResult(_inner.Received);

    public Task<LossCheck?> VerifyAsync(GeneratorResult generated, CancellationToken cancel) => Task.FromResult<LossCheck?>(null);

    public ValueTask DisposeAsync() => _inner.DisposeAsync();
}
