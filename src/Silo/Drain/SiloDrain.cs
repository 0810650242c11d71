using System.Diagnostics;
using DigitalTwin.Gateway.Mqtt;
using DigitalTwin.Gateway.Mqtt.Connections;
using DigitalTwin.Persistence.WriteBehind;
using Microsoft.Extensions.Options;
using MQTTnet.Server;

namespace DigitalTwin.Silo.Drain;

/// <summary>
/// The silo's graceful stop (SIGTERM, Ctrl-C, a Kubernetes pod deletion). It runs in <c>StoppingAsync</c>, before any
/// hosted service stops, in this order:
/// <list type="number">
/// <item>readiness turns false (<c>/readyz</c> 503, the <c>drain</c> check) and the broker refuses every new CONNECT
/// with "use another server";</item>
/// <item>after <see cref="DrainOptions.DeregistrationDelay"/> (the load balancer's time to notice), every connected car
/// gets an MQTT 5 DISCONNECT with <see cref="DrainOptions.ReasonCode"/> ("server shutting down") and reconnects through
/// the Service to another silo; a publish whose PUBACK had not gone out is resent by the car there;</item>
/// <item>the write-behind stores write what is staged now.</item>
/// </list>
/// Then the host stops its services: Orleans deactivates this silo's twins (each stages its final snapshot), leaves
/// the membership so the twins activate elsewhere on their next call, and the write-behind flushers, which stop after
/// Orleans, write those final snapshots. All of it must fit in the host's <c>shutdownTimeoutSeconds</c>, itself less
/// than the pod's <c>terminationGracePeriodSeconds</c>.
/// </summary>
internal sealed partial class SiloDrain(
    DrainState state,
    IOptions<DrainOptions> options,
    IServiceProvider services,
    TimeProvider time,
    ILogger<SiloDrain> logger) : IHostedLifecycleService
{
    private readonly Stopwatch _clock = new();

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _clock.Start();
        var drain = options.Value;
        state.Begin();
        services.GetService<ConnectionGuard>()?.StopAdmitting();
        LogDrainStarted(logger, drain.DeregistrationDelay.TotalMilliseconds);

        if (drain.DeregistrationDelay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(drain.DeregistrationDelay, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Out of shutdown time: go straight on.
            }
        }

        var disconnectClock = Stopwatch.StartNew();
        var cars = await DisconnectCarsAsync(drain, cancellationToken);
        LogCarsDisconnected(logger, cars, drain.ReasonCode.ToString(), disconnectClock.Elapsed.TotalMilliseconds);

        var flushClock = Stopwatch.StartNew();
        var pending = await FlushAsync(cancellationToken);
        LogFlushed(logger, pending, flushClock.Elapsed.TotalMilliseconds);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (_clock.IsRunning)
        {
            LogStopped(logger, _clock.Elapsed.TotalMilliseconds);
        }

        return Task.CompletedTask;
    }

    private async Task<int> DisconnectCarsAsync(DrainOptions drain, CancellationToken cancellationToken)
    {
        if (services.GetService<EmbeddedMqttBroker>() is not { IsRunning: true } broker)
        {
            return 0;
        }

        var clients = await broker.Server.GetClientsAsync();
        var disconnect = new MqttServerClientDisconnectOptions
        {
            ReasonCode = drain.ReasonCode,
            ReasonString = "silo draining: reconnect to another silo",
            ServerReference = drain.ServerReference,
        };
        var count = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = drain.DisconnectConcurrency, CancellationToken = cancellationToken };
        try
        {
            await Parallel.ForEachAsync(clients, parallel, async (client, _) =>
            {
                try
                {
                    await client.DisconnectAsync(disconnect);
                    Interlocked.Increment(ref count);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // The car left on its own meanwhile, or its socket broke: it reconnects all the same.
                    LogDisconnectFailed(logger, client.Id, ex.Message);
                }
            });
        }
        catch (OperationCanceledException)
        {
            // Out of shutdown time: the broker's own stop closes the rest.
        }

        return count;
    }

    private async Task<int> FlushAsync(CancellationToken cancellationToken)
    {
        var flushers = services.GetServices<IHostedService>().OfType<WriteBehindService>().ToList();
        var pending = flushers.Sum(f => f.PendingCount);
        try
        {
            await Task.WhenAll(flushers.Select(f => f.FlushAsync(cancellationToken)));
        }
        catch (OperationCanceledException)
        {
            // The flushers' own stop tries again and counts what is left.
        }

        return pending;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Drain started: readiness false, new MQTT connections refused; disconnecting cars in {DelayMs} ms")]
    private static partial void LogDrainStarted(ILogger logger, double delayMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Drain: {Cars} car(s) told to reconnect elsewhere (DISCONNECT {Reason}) in {ElapsedMs:F0} ms")]
    private static partial void LogCarsDisconnected(ILogger logger, int cars, string reason, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Drain: {Pending} staged write(s) flushed in {ElapsedMs:F0} ms; Orleans now hands the twins over")]
    private static partial void LogFlushed(ILogger logger, int pending, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "DigitalTwin silo drained and stopped in {ElapsedMs:F0} ms")]
    private static partial void LogStopped(ILogger logger, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Drain: DISCONNECT to {ClientId} failed: {Error}")]
    private static partial void LogDisconnectFailed(ILogger logger, string clientId, string error);
}
