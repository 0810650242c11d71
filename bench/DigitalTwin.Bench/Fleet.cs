using System.Buffers;
using System.Diagnostics;
using DigitalTwin.Security;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace DigitalTwin.Bench;

/// <summary>
/// The load generator: N real MQTT 5 clients over TCP, one per car (client id = user name = VIN, password =
/// a vehicle token), publishing the same pre-serialized documents to whichever target they are pointed at.
/// </summary>
public sealed class Fleet : IAsyncDisposable
{
    private const int ConnectConcurrency = 50;
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(60);

    private readonly FleetCar[] _cars;
    private int _lostConnections;

    private Fleet(FleetCar[] cars) => _cars = cars;

    public IReadOnlyList<FleetCar> Cars => _cars;

    public long Published => _cars.Sum(c => c.Published);

    public long Failed => _cars.Sum(c => c.Failed);

    public int LostConnections => Volatile.Read(ref _lostConnections);

    /// <summary>A car's VIN: a fixed, valid ISO 3779 prefix and its number, so runs are repeatable.</summary>
    public static string VinOf(string prefix, int number) => prefix + number.ToString("D11", System.Globalization.CultureInfo.InvariantCulture);

    public static Fleet Create(int count, int port, TokenIssuer tokens) => Create(count, [port], tokens);

    /// <summary>Car n connects to <paramref name="ports"/>[(n - 1) % ports.Count]: a fleet spread over several silos.</summary>
    public static Fleet Create(int count, IReadOnlyList<int> ports, TokenIssuer tokens)
    {
        var factory = new MqttClientFactory();
        var cars = new FleetCar[count];
        for (var i = 0; i < count; i++)
        {
            var vin = VinOf("WBENCH", i + 1);
            var options = new MqttClientOptionsBuilder()
                .WithTcpServer("127.0.0.1", ports[i % ports.Count])
                .WithProtocolVersion(MqttProtocolVersion.V500)
                .WithClientId(vin)
                .WithCredentials(vin, tokens.Mint(vin, Roles.Vehicle, TimeSpan.FromHours(12)))
                .WithCleanStart(true)
                .WithTimeout(TimeSpan.FromSeconds(30))
                .WithKeepAlivePeriod(TimeSpan.FromSeconds(60))
                // One write per packet instead of header and payload apart: measured ~45% more QoS 0 throughput.
                .WithoutPacketFragmentation()
                .Build();
            cars[i] = new FleetCar(i + 1, vin, factory.CreateMqttClient(), options);
        }

        var fleet = new Fleet(cars);
        foreach (var car in cars)
        {
            car.Client.DisconnectedAsync += e =>
            {
                if (e.ClientWasConnected)
                {
                    Interlocked.Increment(ref fleet._lostConnections);
                }

                return Task.CompletedTask;
            };
        }

        return fleet;
    }

    public async Task ConnectAsync(CancellationToken cancel)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = ConnectConcurrency, CancellationToken = cancel };
        await Parallel.ForEachAsync(_cars, parallel, async (car, ct) =>
        {
            var result = await car.Client.ConnectAsync(car.Options, ct);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                throw new InvalidOperationException($"{car.Vin} was refused: {result.ResultCode} {result.ReasonString}");
            }
        });

        // Lost connections are counted from here on; the disconnects at the end are not losses.
        Volatile.Write(ref _lostConnections, 0);
    }

    /// <summary>
    /// Max throughput: every car keeps up to <paramref name="window"/> publishes in flight until
    /// <paramref name="stop"/>, then waits for those still in flight. At QoS 0 a publish leaves the flight once
    /// written to the socket, so on top of that the whole fleet may be at most cars x window messages ahead of
    /// what the target has processed. Without that credit a QoS 0 flood, or a broker acknowledging faster than
    /// its subscriber reads, piles up an unbounded backlog in socket buffers and broker queues: the rate would
    /// still be measured at the target, but draining it would take minutes and spill into the next scenario.
    /// </summary>
    /// <remarks>
    /// Without a <paramref name="target"/> (the generator in a process of its own, <see cref="Outside.GeneratorChild"/>)
    /// there is no credit: at QoS 0 only TCP's flow control slows the fleet down, as for any client of a broker.
    /// </remarks>
    public async Task RunClosedLoopAsync(MqttQualityOfServiceLevel qos, int window, IBenchTarget? target, CancellationToken stop)
    {
        // Not disposed: the target may still hand back credit for a moment after its listener is removed.
        var credit = target is null ? null : new SemaphoreSlim(window * _cars.Length);
        if (target is not null)
        {
            target.ProcessedListener = n =>
            {
                if (n > 0)
                {
                    credit!.Release(n);
                }
            };
        }

        try
        {
            await Task.WhenAll(_cars.Select(car => Task.Run(() => DriveClosedLoopAsync(car, qos, window, credit, stop), CancellationToken.None)));
        }
        finally
        {
            target?.ProcessedListener = null;
        }
    }

    /// <summary>
    /// Latency: publishes at <paramref name="rate"/> messages per second in total, round robin over the cars,
    /// without waiting for acknowledgements (open loop: a slow target does not slow the offered load).
    /// Records publish start to PUBACK for publishes started at or after <paramref name="recordFrom"/>
    /// (a <see cref="Stopwatch"/> timestamp). A car with <paramref name="maxInFlight"/> publishes unanswered
    /// skips its turn, which the result reports.
    /// </summary>
    public async Task<long> RunOpenLoopAsync(double rate, int maxInFlight, LatencyHistogram histogram, long recordFrom, CancellationToken stop)
    {
        var skipped = await OpenLoop.RunAsync(_cars, rate, maxInFlight, car => _ = PublishTimedAsync(car, histogram, started => started >= recordFrom), stop);

        await WaitForInFlightAsync();
        return skipped;
    }

    public async Task DisconnectAsync()
    {
        // A graceful DISCONNECT flushes what is buffered; a bare close resets the socket and drops QoS 0 messages.
        var disconnect = new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = ConnectConcurrency };
        await Parallel.ForEachAsync(_cars, parallel, async (car, _) =>
        {
            if (!car.Client.IsConnected)
            {
                return;
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await car.Client.DisconnectAsync(disconnect, timeout.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or MQTTnet.Exceptions.MqttCommunicationException)
            {
                // The target may already be gone; nothing is counted after this point.
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        await DisconnectAsync();
        foreach (var car in _cars)
        {
            car.Client.Dispose();
        }
    }

    private static async Task DriveClosedLoopAsync(FleetCar car, MqttQualityOfServiceLevel qos, int window, SemaphoreSlim? credit, CancellationToken stop)
    {
        car.EnsureBuffers(window);
        var inFlight = new Queue<(long Seq, Task<MqttClientPublishResult> Publish)>(window);
        try
        {
            while (!stop.IsCancellationRequested && car.Client.IsConnected)
            {
                if (inFlight.Count == window)
                {
                    // Acknowledgements of one connection come back in order, so the oldest is the next to finish,
                    // and its buffer is the one the next message reuses.
                    await CompleteAsync(car, inFlight.Dequeue());
                }

                if (credit is not null)
                {
                    try
                    {
                        await credit.WaitAsync(stop);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }

                var seq = ++car.Seq;
                var buffer = car.Buffers[seq % window];
                var length = car.Payload.Write(buffer, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), seq);
                Task<MqttClientPublishResult> publish;
                try
                {
                    publish = car.Client.PublishAsync(Message(car, buffer, length, qos), CancellationToken.None);
                }
                catch (MQTTnet.Exceptions.MqttClientNotConnectedException)
                {
                    // The connection dropped between the check above and this publish (MQTTnet throws before it
                    // returns a task): counted, and this car stops, as it would at the loop's next turn.
                    car.CountFailed();
                    break;
                }

                inFlight.Enqueue((seq, publish));
            }
        }
        finally
        {
            while (inFlight.Count > 0)
            {
                await CompleteAsync(car, inFlight.Dequeue());
            }
        }
    }

    /// <summary>
    /// One open-loop publish at QoS 1, timed from the start of <c>PublishAsync</c> to its PUBACK; recorded when
    /// <paramref name="records"/> accepts its start (a <see cref="Stopwatch"/> timestamp). The latency and crash
    /// scenarios both load the twin this way.
    /// </summary>
    public static async Task PublishTimedAsync(FleetCar car, LatencyHistogram histogram, Func<long, bool> records)
    {
        car.EnterFlight();
        try
        {
            // Open-loop messages may complete out of order with one another's buffers, so each has its own.
            var seq = ++car.Seq;
            var buffer = new byte[TelemetryPayload.MaxLength];
            var length = car.Payload.Write(buffer, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), seq);
            var started = Stopwatch.GetTimestamp();
            var result = await car.Client.PublishAsync(Message(car, buffer, length, MqttQualityOfServiceLevel.AtLeastOnce), CancellationToken.None);
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (result.IsSuccess)
            {
                car.CountPublished(seq);
                if (records(started))
                {
                    histogram.Record((long)(elapsed.TotalMicroseconds));
                }
            }
            else
            {
                car.CountFailed();
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            car.CountFailed();
        }
        finally
        {
            car.LeaveFlight();
        }
    }

    private static async Task CompleteAsync(FleetCar car, (long Seq, Task<MqttClientPublishResult> Publish) flight)
    {
        try
        {
            var result = await flight.Publish;
            if (result.IsSuccess)
            {
                car.CountPublished(flight.Seq);
            }
            else
            {
                car.CountFailed();
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            car.CountFailed();
        }
    }

    private static MqttApplicationMessage Message(FleetCar car, byte[] buffer, int length, MqttQualityOfServiceLevel qos) => new()
    {
        Topic = car.Topic,
        Payload = new ReadOnlySequence<byte>(buffer, 0, length),
        QualityOfServiceLevel = qos,
    };

    private async Task WaitForInFlightAsync()
    {
        var deadline = DateTime.UtcNow + DrainTimeout;
        while (_cars.Any(c => c.InFlight > 0) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
    }
}
