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

    // Enough to see what goes wrong without burying the summary when a whole fleet is refused.
    private const int MaxReportedProblems = 10;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);

    // After the stop signal, publishes already under way get this long to be acknowledged.
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);


    private readonly FleetStats _stats = new();

    public async Task<int> RunAsync(CancellationToken cancel)
    {
        var cars = CreateCars();
        try
        {
            var connectFailures = await ConnectAllAsync(cars, cancel);
            var connected = cars.Where(c => c.IsConnected).ToList();
            var elapsed = connected.Count > 0 && !cancel.IsCancellationRequested
                ? await DriveFleetAsync(connected, cancel)
                : TimeSpan.Zero;

            await ShutdownAsync(connected);
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
            car.Client.DisconnectedAsync += e =>
            {
                if (e.ClientWasConnected && car.IsConnected)
                {
                    car.IsConnected = false;
                    if (_stats.CountLostConnection() <= MaxReportedProblems)
                    {
                        output.WriteLine($"{car.Vin}: connection lost ({e.Reason}{(e.ReasonString is { Length: > 0 } s ? ": " + s : "")})");
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
                var failure = await ConnectAsync(car, ct);
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
    private static async Task<string?> ConnectAsync(SimulatedCar car, CancellationToken cancel)
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

            car.IsConnected = true;
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancel.IsCancellationRequested)
        {
            // Refused sockets, timeouts, broken TLS: a refused CONNACK came back as a result above.
            return e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;
        }
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
        if (!car.IsConnected)
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
        try
        {
            var result = await car.Client.PublishAsync(message, drain);

            // Under QoS 0 there is no PUBACK and the result is always a success.
            if (result.IsSuccess)
            {
                _stats.CountSent();
            }
            else
            {
                _stats.CountFailed(result.ReasonCode.ToString());
            }
        }
        catch (OperationCanceledException) when (drain.IsCancellationRequested)
        {
            _stats.CountFailed("NoAckBeforeShutdown");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _stats.CountFailed(e.GetType().Name);
        }
    }

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
