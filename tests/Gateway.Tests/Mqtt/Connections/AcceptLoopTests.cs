using System.Net.Sockets;
using DigitalTwin.Gateway.Diagnostics;
using DigitalTwin.Gateway.Mqtt;
using DigitalTwin.Gateway.Mqtt.Connections;
using DigitalTwin.Gateway.Mqtt.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DigitalTwin.Gateway.Tests.Mqtt.Connections;

/// <summary>The listener's accept loop when accept fails: it backs off on the guard's clock and never stops by itself.</summary>
public sealed class AcceptLoopTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _clock = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly ConnectionGuard _guard;
    private readonly MetricCollector<long> _failures;
    private readonly CancellationTokenSource _stopping = new();

    public AcceptLoopTests()
    {
        var metrics = new GatewayMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        _failures = new MetricCollector<long>(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), GatewayMetrics.MeterName, "digitaltwin.mqtt.accept.failures");
        _guard = new ConnectionGuard(Options.Create(new MqttOptions { MaxConnections = 10 }), _clock, metrics, NullLogger<ConnectionGuard>.Instance);
        _guard.Start();
    }

    [Fact]
    public async Task Out_of_descriptors_the_loop_waits_10_ms_doubling_and_accepts_again_once_it_can()
    {
        var calls = 0;
        var served = new TaskCompletionSource<Socket>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        ValueTask<Socket> Accept(CancellationToken _)
        {
            // EMFILE three times, then a socket, then nothing more until the test stops.
            return Interlocked.Increment(ref calls) switch
            {
                <= 3 => ValueTask.FromException<Socket>(new SocketException((int)SocketError.TooManyOpenSockets)),
                4 => ValueTask.FromResult(socket),
                _ => new ValueTask<Socket>(Task.Delay(Timeout.Infinite, _stopping.Token).ContinueWith<Socket>(_ => throw new OperationCanceledException(), TaskScheduler.Default)),
            };
        }

        var loop = BufferedTcpServerAdapter.RunAcceptLoopAsync(Accept, s => served.TrySetResult(s), _guard, _clock, _stopping.Token);

        await UntilAsync(() => Volatile.Read(ref calls) == 1);
        _clock.Advance(TimeSpan.FromMilliseconds(9));
        Assert.Equal(1, Volatile.Read(ref calls));
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        await UntilAsync(() => Volatile.Read(ref calls) == 2);

        _clock.Advance(TimeSpan.FromMilliseconds(19));
        Assert.Equal(2, Volatile.Read(ref calls));
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        await UntilAsync(() => Volatile.Read(ref calls) == 3);

        _clock.Advance(TimeSpan.FromMilliseconds(40));
        Assert.Same(socket, await served.Task.WaitAsync(Deadline));

        Assert.Equal(3, _failures.GetMeasurementSnapshot().Count(m => (string?)m.Tags["error"] == "too_many_open_files"));
        Assert.False(loop.IsCompleted);
        await _stopping.CancelAsync();
        await loop.WaitAsync(Deadline);
    }

    [Fact]
    public async Task The_wait_grows_to_one_second_and_no_further()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(10), AcceptBackoff.Delay(SocketError.TooManyOpenSockets, 1));
        Assert.Equal(TimeSpan.FromMilliseconds(640), AcceptBackoff.Delay(SocketError.TooManyOpenSockets, 7));
        Assert.Equal(TimeSpan.FromSeconds(1), AcceptBackoff.Delay(SocketError.NoBufferSpaceAvailable, 8));
        Assert.Equal(TimeSpan.FromSeconds(1), AcceptBackoff.Delay(SocketError.TooManyOpenSockets, 1_000_000));
        Assert.Equal(TimeSpan.Zero, AcceptBackoff.Delay(SocketError.ConnectionAborted, 5));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task An_unexpected_exception_does_not_end_the_loop()
    {
        var calls = 0;
        ValueTask<Socket> Accept(CancellationToken _) =>
            Interlocked.Increment(ref calls) == 1
                ? throw new InvalidOperationException("something no one foresaw")
                : new ValueTask<Socket>(Task.Delay(Timeout.Infinite, _stopping.Token).ContinueWith<Socket>(_ => throw new OperationCanceledException(), TaskScheduler.Default));

        var loop = BufferedTcpServerAdapter.RunAcceptLoopAsync(Accept, _ => { }, _guard, _clock, _stopping.Token);

        await UntilAsync(() => Volatile.Read(ref calls) == 1);
        _clock.Advance(TimeSpan.FromMilliseconds(10));
        await UntilAsync(() => Volatile.Read(ref calls) == 2);
        Assert.False(loop.IsCompleted);
        await _stopping.CancelAsync();
        await loop.WaitAsync(Deadline);
    }

    [Fact]
    public async Task Every_failed_accept_gives_its_socket_slot_back()
    {
        var calls = 0;
        ValueTask<Socket> Accept(CancellationToken _) =>
            Interlocked.Increment(ref calls) <= 2_000
                ? ValueTask.FromException<Socket>(new SocketException((int)SocketError.ConnectionAborted))
                : new ValueTask<Socket>(Task.Delay(Timeout.Infinite, _stopping.Token).ContinueWith<Socket>(_ => throw new OperationCanceledException(), TaskScheduler.Default));

        var loop = BufferedTcpServerAdapter.RunAcceptLoopAsync(Accept, _ => { }, _guard, _clock, _stopping.Token);

        // Aborted connections are retried at once (no clock needed); more of them than the budget has slots, so each must
        // have given its slot back.
        Assert.True(_guard.Capacity!.MaxSockets < 2_000);
        await UntilAsync(() => Volatile.Read(ref calls) == 2_001);
        Assert.Equal(0, _guard.Sockets);
        await _stopping.CancelAsync();
        await loop.WaitAsync(Deadline);
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _guard.Dispose();
        _failures.Dispose();
        _services.Dispose();
        _stopping.Dispose();
    }

    private static async Task UntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within the deadline");
            await Task.Delay(5);
        }
    }
}
