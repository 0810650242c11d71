using System.Diagnostics;
using System.Globalization;
using DigitalTwin.Contract.Status;
using DigitalTwin.Contract.Topics;
using DigitalTwin.Security;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace DigitalTwin.Simulator;

/// <summary>Connects the fleet, paces every car's telemetry, and takes the fleet offline cleanly at the end.</summary>
public sealed class FleetRunner(SimulatorOptions options, TextWriter output)
{
    private const int ConnectConcurrency = 50;

    // With --reconnect, one document is sent at most this many more times before it counts as failed.
    private const int MaxResends = 20;

    // Enough to see what goes wrong without burying the summary when a whole fleet is refused.
    private const int MaxReportedProblems = 10;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);

    // After the stop signal, publishes already under way get this long to be acknowledged.
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);


    private readonly FleetStats _stats = new();
    private CarListener? _listener;
    private CancellationToken _run;
    private volatile bool _stopping;

    /// <summary>The run's counters, readable during and after the run.</summary>
    public FleetStats Stats => _stats;

    /// <summary>The fleet of the current or last run: each car's last acknowledged seq, reconnections, longest gap.</summary>
    public IReadOnlyList<SimulatedCar> Cars { get; private set; } = [];

    public async Task<int> RunAsync(CancellationToken cancel)
    {
        _run = cancel;
        var cars = CreateCars();
        Cars = cars;
        try
        {
            var connectFailures = await ConnectAllAsync(cars, cancel);
            var connected = cars.Where(c => c.IsConnected).ToList();
            var elapsed = connected.Count > 0 && !cancel.IsCancellationRequested
                ? await DriveFleetAsync(connected, cancel)
                : TimeSpan.Zero;

            _stopping = true;
            await ShutdownAsync(cars);
            output.WriteLine(_stats.Summary(cars.Count, connected.Count, elapsed));
            return connectFailures > 0 ? 1 : 0;
        }
        finally
        {
            foreach (var car in cars)
            {
                car.Client.Dispose();
            }
        }
    }

    /// <summary>Publishes until the duration is over or <paramref name="cancel"/> fires; returns how long that took.</summary>
    private async Task<TimeSpan> DriveFleetAsync(List<SimulatedCar> cars, CancellationToken cancel)
    {
        if (!options.Quiet)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{cars.Count} car(s) connected to {options.Host}:{options.Port}, publishing {options.Rate} msg/s each at QoS {options.Qos}"));
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        if (options.Duration > TimeSpan.Zero)
        {
            stop.CancelAfter(options.Duration);
        }

        using var drain = new CancellationTokenSource();
        using var drainOnStop = stop.Token.Register(() => drain.CancelAfter(DrainTimeout));

        var clock = Stopwatch.StartNew();
        var period = TimeSpan.FromSeconds(1 / options.Rate);
        var progress = options.Quiet ? Task.CompletedTask : ReportProgressAsync(cars.Count, clock, stop.Token);

        // Spread the cars evenly over one period, so the broker sees a steady stream and not a burst per tick.
        await Task.WhenAll(cars.Select((car, i) => DriveAsync(car, period * i / cars.Count, period, stop.Token, drain.Token)));
        await progress;
        return clock.Elapsed;
    }

    private List<SimulatedCar> CreateCars()
    {
        var issuer = new TokenIssuer(options.SigningKey);

        // Tokens are checked at CONNECT only; outlive the run so a slow connect phase never sees one expire.
        var lifetime = TimeSpan.FromHours(24) + options.Duration;
        var factory = new MqttClientFactory();
        var cars = new List<SimulatedCar>(options.Cars);
        _listener = options.Listen ? new CarListener(_stats, output, options.Quiet) : null;
        for (var number = 1; number <= options.Cars; number++)
        {
            var vin = options.VinOf(number);
            var clientOptions = new MqttClientOptionsBuilder()
                .WithTcpServer(options.Host, options.Port)
                .WithProtocolVersion(MqttProtocolVersion.V500)
                .WithClientId(vin)
                .WithCredentials(vin, issuer.Mint(vin, Roles.Vehicle, lifetime))
                .WithCleanStart(true)
                .WithTimeout(TimeSpan.FromSeconds(15))
                .WithWillTopic(VehicleTopic.Of(vin, VehicleTopicKind.Status))
                .WithWillPayload(new StatusDocument(Online: false).ToPayload())
                .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithWillRetain(true)
                .Build();

            // Fragmented writes cost a syscall per part; one buffer per packet is much faster.
            clientOptions.AllowPacketFragmentation = false;

            var car = new SimulatedCar(number, options.Cars, vin, factory.CreateMqttClient(), clientOptions);
            if (_listener is { } listener)
            {
                car.Client.ApplicationMessageReceivedAsync += e => listener.OnMessageAsync(car, e);
            }

            car.Client.DisconnectedAsync += e =>
            {
                if (e.ClientWasConnected && car.IsConnected)
                {
                    var reconnect = options.Reconnect && !_stopping && !_run.IsCancellationRequested;
                    if (reconnect)
                    {
                        // Before IsConnected turns false: a publisher that sees it false waits on this.
                        car.Online = SimulatedCar.NewOnline(completed: false);
                    }

                    car.IsConnected = false;
                    if (_stats.CountLostConnection() <= MaxReportedProblems && !options.Quiet)
                    {
                        output.WriteLine($"{car.Vin}: connection lost ({e.Reason}{(e.ReasonString is { Length: > 0 } s ? ": " + s : "")})");
                    }

                    if (reconnect)
                    {
                        _ = Task.Run(() => ReconnectAsync(car));
                    }
                }

                return Task.CompletedTask;
            };
            cars.Add(car);
        }

        return cars;
    }

    private async Task<int> ConnectAllAsync(List<SimulatedCar> cars, CancellationToken cancel)
    {
        var failures = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = ConnectConcurrency, CancellationToken = cancel };
        try
        {
            await Parallel.ForEachAsync(cars, parallel, async (car, ct) =>
            {
                var failure = await ConnectAsync(car, _listener is not null, ct);
                if (failure is not null && Interlocked.Increment(ref failures) <= MaxReportedProblems)
                {
                    output.WriteLine($"{car.Vin}: could not connect: {failure}");
                }
            });
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            output.WriteLine("interrupted while connecting");
        }

        if (failures > 0)
        {
            output.WriteLine($"{failures} of {cars.Count} car(s) could not connect");
        }

        return failures;
    }

    /// <summary>Returns null when the car is online, else why not.</summary>
    private static async Task<string?> ConnectAsync(SimulatedCar car, bool listen, CancellationToken cancel)
    {
        try
        {
            var result = await car.Client.ConnectAsync(car.Options, cancel);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                return $"CONNACK {result.ResultCode}{(result.ReasonString is { Length: > 0 } s ? ": " + s : "")}";
            }

            var online = await car.Client.PublishAsync(StatusMessage(car, new StatusDocument(Online: true).ToPayload()), cancel);
            if (!online.IsSuccess)
            {
                return $"status publish refused: {online.ReasonCode}";
            }

            if (listen)
            {
                var subscribed = await car.Client.SubscribeAsync(CarListener.Subscriptions(car.Vin), cancel);
                if (subscribed.Items.FirstOrDefault(i => (int)i.ResultCode > 2) is { } refused)
                {
                    return $"subscription to {refused.TopicFilter.Topic} refused: {refused.ResultCode}";
                }
            }

            car.IsConnected = true;
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancel.IsCancellationRequested)
        {
            // Refused sockets, timeouts, broken TLS: a refused CONNACK came back as a result above.
            return e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;
        }
    }

    /// <summary>Connects again until it works or the run ends, backing off from 50 ms to 1 s; the broker picks nothing, the address does.</summary>
    private async Task ReconnectAsync(SimulatedCar car)
    {
        var lost = Stopwatch.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(50);
        while (!_stopping && !_run.IsCancellationRequested)
        {
            if (await ConnectAsync(car, _listener is not null, _run) is null)
            {
                var offline = Stopwatch.GetElapsedTime(lost);
                car.Reconnects++;
                if (offline > car.LongestOffline)
                {
                    car.LongestOffline = offline;
                }

                _stats.CountReconnect(offline);
                car.Online.TrySetResult();
                return;
            }

            try
            {
                await Task.Delay(delay, _run);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
        }

        car.Online.TrySetResult();
    }

    private async Task DriveAsync(SimulatedCar car, TimeSpan offset, TimeSpan period, CancellationToken stop, CancellationToken drain)
    {
        // Leave the caller's loop before the first wait, so that starting thousands of cars takes no time.
        await Task.Yield();
        try
        {
            await Task.Delay(offset, stop);
            using var timer = new PeriodicTimer(period);
            var last = Stopwatch.GetTimestamp();
            do
            {
                var now = Stopwatch.GetTimestamp();
                if (car.HasSent)
                {
                    car.Model.Step(Stopwatch.GetElapsedTime(last, now), car.Rng);
                }

                last = now;
                await PublishTelemetryAsync(car, drain);
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run is over; the message under way, if any, was awaited with the drain token.
        }
    }

    private async Task PublishTelemetryAsync(SimulatedCar car, CancellationToken drain)
    {
        if (!car.IsConnected && !options.Reconnect)
        {
            _stats.CountFailed("NotConnected");
            return;
        }

        var seq = ++car.Seq;
        var payload = car.Writer.Write(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), seq, car.Model);
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(car.TelemetryTopic)
            .WithPayloadSegment(payload)
            .WithQualityOfServiceLevel((MqttQualityOfServiceLevel)options.Qos)
            .Build();

        // With --reconnect a document is sent until the broker answers it: a connection lost before the PUBACK means the
        // same document again once the car is back (the twin's seq rule makes the resend harmless).
        var resends = 0;
        while (true)
        {
            if (!car.IsConnected)
            {
                if (_stopping || drain.IsCancellationRequested)
                {
                    _stats.CountFailed("NotConnected");
                    return;
                }

                try
                {
                    await car.Online.Task.WaitAsync(drain);
                }
                catch (OperationCanceledException)
                {
                    _stats.CountFailed("NoAckBeforeShutdown");
                    return;
                }

                continue;
            }

            try
            {
                var result = await car.Client.PublishAsync(message, drain);

                // Under QoS 0 there is no PUBACK and the result is always a success.
                if (result.IsSuccess)
                {
                    _stats.CountSent();
                    if (seq > car.LastAckedSeq)
                    {
                        car.LastAckedSeq = seq;
                    }
                }
                else if (options.Reconnect && IsTransient(result.ReasonCode) && resends < MaxResends && !_stopping)
                {
                    // "Not applied now, send it again" (a twin moving between silos): a car resends the same document.
                    resends++;
                    _stats.CountResent();
                    continue;
                }
                else
                {
                    _stats.CountFailed(result.ReasonCode.ToString());
                }

                return;
            }
            catch (OperationCanceledException) when (drain.IsCancellationRequested)
            {
                _stats.CountFailed("NoAckBeforeShutdown");
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException && options.Reconnect && !_stopping && resends < MaxResends)
            {
                resends++;
                _stats.CountResent();
                if (car.IsConnected && !car.Client.IsConnected)
                {
                    // The client knows the connection is gone; its Disconnected handler is about to say so.
                    try
                    {
                        await Task.Delay(20, drain);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _stats.CountFailed(e.GetType().Name);
                return;
            }
        }
    }

    /// <summary>PUBACK reasons that say "not now" rather than "never": the broker's answer when a twin could not apply it.</summary>
    private static bool IsTransient(MqttClientPublishReasonCode code) =>
        code is MqttClientPublishReasonCode.ImplementationSpecificError or MqttClientPublishReasonCode.UnspecifiedError or MqttClientPublishReasonCode.QuotaExceeded;

    private async Task ShutdownAsync(List<SimulatedCar> cars)
    {
        // A graceful DISCONNECT flushes what is buffered; a bare close resets the socket and QoS 0 messages are lost.
        var disconnect = new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = ConnectConcurrency };
        await Parallel.ForEachAsync(cars, parallel, async (car, _) =>
        {
            using var timeout = new CancellationTokenSource(DrainTimeout);
            try
            {
                if (car.IsConnected)
                {
                    // A last document parked with the ignition off, so the trip under way finishes with the run.
                    car.Model.ParkNow();
                    await PublishTelemetryAsync(car, timeout.Token);
                    var offline = await car.Client.PublishAsync(StatusMessage(car, new StatusDocument(Online: false).ToPayload()), timeout.Token);
                    if (!offline.IsSuccess)
                    {
                        output.WriteLine($"{car.Vin}: offline status refused: {offline.ReasonCode}");
                    }
                }

                car.IsConnected = false;
                if (car.Client.IsConnected)
                {
                    await car.Client.DisconnectAsync(disconnect, timeout.Token);
                }
            }
            catch (Exception e)
            {
                // The Last Will still tells the backend this car went offline.
                output.WriteLine($"{car.Vin}: clean disconnect failed: {e.Message}");
            }
        });
    }

    private async Task ReportProgressAsync(int cars, Stopwatch clock, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(ProgressInterval);
        long lastSent = 0;
        var lastTime = TimeSpan.Zero;
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var now = clock.Elapsed;
                var sent = _stats.Sent;
                var rate = (sent - lastSent) / (now - lastTime).TotalSeconds;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{now.TotalSeconds,5:F0}s] cars={cars} sent={sent} failed={_stats.Failed} rate={rate:F1} msg/s"));
                (lastSent, lastTime) = (sent, now);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private static MqttApplicationMessage StatusMessage(SimulatedCar car, byte[] payload) =>
        new MqttApplicationMessageBuilder()
            .WithTopic(car.StatusTopic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(true)
            .Build();
}
