using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using DigitalTwin.Gateway.Mqtt;
using DigitalTwin.Grains.Abstractions.Crash;
using DigitalTwin.Grains.Abstractions.Telemetry;
using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Security;
using DigitalTwin.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Npgsql;
using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Contract.Topics;

namespace DigitalTwin.Bench;

/// <summary>
/// The crash alert latency scenario, against the real host in this process (<see cref="BenchSilo"/>), by default on a
/// throwaway PostgreSQL so that an alert is stored durably (one autocommitted upsert) before anyone hears of it.
/// <list type="number">
/// <item>T twins (VINs <c>WCRASH</c> + 11 digits) are activated with one ordinary telemetry document each: the connected
/// cars over MQTT, the others (if <c>--crash-connected</c> is below T) by a direct <c>ApplyTelemetry</c> grain call.</item>
/// <item>C crashing cars, spread evenly over the T twins, are connected and subscribed to their commands topic, as a car
/// listening for <c>emergency.ack</c> is. S of them get an SSE client each (an operator token of its own, since the API caps
/// open streams per caller); every SSE client has received its first event before anything is measured.</item>
/// <item>The other connected cars stream ordinary telemetry at QoS 1, open loop, at a steady total rate, from a warm-up
/// before the first crash until after the last one.</item>
/// <item>Crash k starts at k / pace: its car publishes two ordinary samples 300 and 150 ms before (the twin is warm), then
/// the crash sample, QoS 1, whose driver airbag turns deployed. Timed from just before <c>PublishAsync</c> to its PUBACK,
/// which the broker sends only after the grain stored and published the alert; to the first SSE <c>alert</c> event of its
/// client; and to the <c>emergency.ack</c> the car receives. Every 50th crash, <c>GET .../alerts</c> right after the PUBACK
/// must return the alert; a miss is a failure.</item>
/// <item>Afterwards every crashing car's grain must list exactly its alert, and every connected car's twin its last seq.</item>
/// </list>
/// </summary>
public sealed class CrashBench(BenchOptions options, string signingKey, Action<string> say)
{
    public const string VinPrefix = "WCRASH";
    public const double P99TargetMs = 50;

    private const int PostgresMaxConnections = 300;
    private const int OpenFilesHeadroom = 2000;
    private const int ConnectConcurrency = 50;
    private const int ActivationConcurrency = 256;
    private const int VerifyConcurrency = 64;
    private const int OpenLoopMaxInFlight = 50;
    private const int ReadCheckEvery = 50;
    private const int WarmSamples = 2;

    private static readonly TimeSpan WarmSpacing = TimeSpan.FromMilliseconds(150);
    private static readonly TimeSpan SseOpenTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);

    // After the last crash, SSE events and emergency.acks still on their way get this long.
    private static readonly TimeSpan Stragglers = TimeSpan.FromSeconds(10);

    // Activation by grain calls: the same four signals the streaming cars send.
    private static readonly SignalSample[] ActivationSignals =
    [
        new("Vehicle.Speed", SignalValue.FromNumber(52.5)),
        new("Vehicle.CurrentLocation.Latitude", SignalValue.FromNumber(52.52)),
        new("Vehicle.CurrentLocation.Longitude", SignalValue.FromNumber(13.405)),
        new("Vehicle.Acceleration.Longitudinal", SignalValue.FromNumber(-0.1)),
    ];

    private readonly TokenIssuer _tokens = new(signingKey);
    private int _lostConnections;
    private volatile bool _closing;

    public async Task<CrashResult> RunAsync(CancellationToken cancel)
    {
        PostgresServer? postgres = null;
        WebApplication? app = null;
        HttpClient? http = null;
        var connected = new List<FleetCar>();
        var watchers = new List<SseWatcher>();
        using var gc = new GcPauses();
        try
        {
            CheckOpenFilesLimit(options.CrashConnected);
            string store;
            string storeDetail;
            string[] siloArgs;
            if (options.CrashStore == "postgres" && PostgresServer.FindBinDirectory() is not null)
            {
                say("[crash] starting PostgreSQL");
                // The silo's data sources pool up to 100 connections each (Npgsql's default), more than the server's default
                // max_connections of 100: a burst of activations must not be refused by the server.
                postgres = await BenchPostgres.StartAsync([F($"max_connections={PostgresMaxConnections}")], cancel);
                store = "postgres";
                storeDetail = await DescribePostgresAsync(postgres, cancel);
                siloArgs = [$"--ConnectionStrings:Postgres={postgres.ConnectionString}"];
            }
            else
            {
                store = "memory";
                storeDetail = options.CrashStore == "postgres"
                    ? "InMemoryAlertStore: PostgreSQL is not installed, so the alerts of this run are not durable"
                    : "InMemoryAlertStore (--crash-store memory): not durable";
                siloArgs = [];
            }

            app = BenchSilo.Build(signingKey, Ports.Free(), siloArgs);
            await app.StartAsync(cancel);
            var mqttPort = app.Services.GetRequiredService<EmbeddedMqttBroker>().Port;
            var grains = app.Services.GetRequiredService<IGrainFactory>();
            http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
            {
                BaseAddress = new Uri(app.Urls.First()),
                Timeout = Timeout.InfiniteTimeSpan,
            };
            say($"[crash] silo started, alert store: {storeDetail}");

            // Who is who: crashes spread evenly over the twins, streaming cars are the first of the others.
            var twins = options.CrashTwins;
            var crashes = options.Crashes;
            var crashNumbers = Enumerable.Range(0, crashes).Select(k => 1 + (int)((k + 0.5) * twins / crashes)).ToArray();
            var crashSet = crashNumbers.ToHashSet();
            var others = Enumerable.Range(1, twins).Where(n => !crashSet.Contains(n)).ToArray();
            var streamingCount = options.CrashConnected - crashes;
            var grainNumbers = others[streamingCount..];

            var factory = new MqttClientFactory();
            var crashCars = crashNumbers.Select((n, k) => new CrashCar(k, NewCar(factory, n, mqttPort))).ToArray();
            var streaming = others[..streamingCount].Select(n => NewCar(factory, n, mqttPort)).ToArray();
            connected.AddRange(crashCars.Select(c => c.Car));
            connected.AddRange(streaming);

            var connecting = Stopwatch.StartNew();
            await ConnectAsync(connected, cancel);
            await Parallel.ForEachAsync(crashCars, Concurrency(ConnectConcurrency, cancel), async (crash, ct) => await crash.ListenAsync(ct));
            var connectSeconds = connecting.Elapsed.TotalSeconds;
            say(F($"[crash] {connected.Count:N0} cars connected in {connectSeconds:0.0} s ({crashes:N0} crashing cars subscribed to their commands)"));

            var activating = Stopwatch.StartNew();
            await ActivateAsync(crashCars, streaming, grainNumbers, grains, cancel);
            var activationSeconds = activating.Elapsed.TotalSeconds;
            say(F($"[crash] {twins:N0} twins activated with ordinary telemetry in {activationSeconds:0.0} s ({connected.Count:N0} over MQTT, {grainNumbers.Length:N0} by grain calls)"));

            // Every SSE client is open, and has its first event, before the first crash.
            var stride = options.CrashSseClients == 0 ? 0 : crashes / options.CrashSseClients;
            for (var i = 0; i < options.CrashSseClients; i++)
            {
                var crash = crashCars[i * stride];
                var token = _tokens.Mint(F($"bench-operator-{i + 1:D3}"), Roles.Operator, TimeSpan.FromHours(12));
                var watcher = await SseWatcher.OpenAsync(http, crash.Car.Vin, token, SseOpenTimeout, cancel);
                crash.Watcher = watcher;
                watchers.Add(watcher);
            }

            say(F($"[crash] {watchers.Count} SSE clients open, each has its first event"));

            // Ordinary telemetry from the streaming cars, recorded from the first crash to the last.
            var window = new RecordingWindow();
            var telemetry = new LatencyHistogram();
            using var stopStreaming = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            var streamingRun = streaming.Length > 0 && options.CrashBackgroundRate > 0
                ? Task.Run(() => StreamAsync(streaming, options.CrashBackgroundRate, telemetry, window, stopStreaming.Token), CancellationToken.None)
                : Task.FromResult(0L);
            await Task.Delay(options.CrashWarmup, cancel);

            var verifierToken = _tokens.Mint("bench-verifier", Roles.Operator, TimeSpan.FromHours(12));
            var lead = Ticks(WarmSamples * WarmSpacing);
            var first = Stopwatch.GetTimestamp() + lead;
            window.From = first;
            say(F($"[crash] {crashes:N0} crashes at {options.CrashesPerSecond:0.#}/s, ordinary telemetry at {options.CrashBackgroundRate:N0} msgs/s from {streaming.Length:N0} cars"));
            var runs = new List<Task>(crashes);
            foreach (var crash in crashCars)
            {
                crash.Due = first + (long)(crash.Index * Stopwatch.Frequency / options.CrashesPerSecond);
                await DelayUntilAsync(crash.Due - lead, cancel);
                runs.Add(Task.Run(() => CrashAsync(crash, http, verifierToken, cancel), CancellationToken.None));
            }

            await Task.WhenAll(runs);
            cancel.ThrowIfCancellationRequested();
            window.Until = Stopwatch.GetTimestamp();
            var crashSeconds = (window.Until - first) / (double)Stopwatch.Frequency;

            await stopStreaming.CancelAsync();
            var skipped = await streamingRun;
            cancel.ThrowIfCancellationRequested();

            var deadline = Stopwatch.GetTimestamp() + Ticks(Stragglers);
            while (Stopwatch.GetTimestamp() < deadline
                && (watchers.Any(w => w.AlertData is null && w.Error is null) || crashCars.Any(c => c.AckedAt != 0 && c.AckArrivedAt == 0)))
            {
                await Task.Delay(20, cancel);
            }

            say("[crash] crashes done; reading every alert and twin back");
            var stored = await VerifyAlertsAsync(crashCars, grains, cancel);
            var check = await VerifyTwinsAsync(connected, grains, cancel);

            return Result(
                store, storeDetail, crashCars, streaming, grainNumbers.Length, watchers.Count, telemetry, skipped,
                connectSeconds, activationSeconds, crashSeconds, stored, check, GcDuring(gc.Pauses, first, window.Until, crashCars));
        }
        finally
        {
            foreach (var watcher in watchers)
            {
                await watcher.DisposeAsync();
            }

            _closing = true;
            await DisconnectAsync(connected);
            http?.Dispose();
            if (app is not null)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await app.StopAsync(timeout.Token);
                await app.DisposeAsync();
            }

            if (postgres is not null)
            {
                await postgres.DisposeAsync();
            }
        }
    }

    /// <summary>The issue's target, judged per run: p99 under 50 ms to the alert being readable, and to the SSE event.</summary>
    public static IEnumerable<GoalResult> Goals(IReadOnlyList<CrashResult> results)
    {
        var readable = F($"Crash: p99 publish -> alert stored and readable < {P99TargetMs:0} ms");
        var pushed = F($"Crash: p99 publish -> SSE alert event < {P99TargetMs:0} ms");
        if (results.Count == 0)
        {
            yield return new GoalResult(readable, "not measured", "no crash run");
            yield return new GoalResult(pushed, "not measured", "no crash run");
            yield break;
        }

        foreach (var store in results.GroupBy(r => r.AlertStore))
        {
            var runs = store.ToList();
            var suffix = results.Select(r => r.AlertStore).Distinct().Count() > 1 ? $" ({store.Key})" : "";
            if (runs.Count == 1)
            {
                yield return Judge(readable + suffix, runs[0].Latencies.Single(l => l.Key == "puback"), "crashes");
                yield return Judge(pushed + suffix, runs[0].Latencies.Single(l => l.Key == "sse"), "SSE clients");
                continue;
            }

            yield return JudgeMedian(readable + suffix, runs.Select(r => r.Latencies.Single(l => l.Key == "puback")).ToList());
            yield return JudgeMedian(pushed + suffix, runs.Select(r => r.Latencies.Single(l => l.Key == "sse")).ToList());
        }

        // The target is a median of runs because one run's p99 is a handful of samples that a GC pause on two shared
        // cores can move by tens of milliseconds; every run's figure is shown so the spread stays visible.
        static GoalResult JudgeMedian(string goal, IReadOnlyList<CrashLatency> runs)
        {
            var p99s = runs.Select(l => l.P99Ms).OfType<double>().Order().ToList();
            if (p99s.Count == 0)
            {
                return new GoalResult(goal, "not measured", "no samples in any run");
            }

            var median = p99s.Count % 2 == 1 ? p99s[p99s.Count / 2] : (p99s[(p99s.Count / 2) - 1] + p99s[p99s.Count / 2]) / 2;
            var missing = runs.Sum(l => l.Missing);
            var each = string.Join(", ", runs.Select(l => l.P99Ms is { } p ? F($"{p:0.0}") : "-"));
            return new GoalResult(
                goal + F($", median of {runs.Count} runs"),
                median < P99TargetMs && missing == 0 ? "met" : "missed",
                F($"median p99 {median:0.00} ms; runs in order: {each} ms{(missing > 0 ? F($"; {missing:N0} missing") : "")}"));
        }

        static GoalResult Judge(string goal, CrashLatency latency, string what) => latency.P99Ms is { } p99
            ? new GoalResult(
                goal,
                p99 < P99TargetMs && latency.Missing == 0 ? "met" : "missed",
                F($"p99 {p99:0.00} ms (p50 {latency.P50Ms:0.00}, max {latency.MaxMs:0.00}) over {latency.Samples:N0} {what}{(latency.Missing > 0 ? F($", {latency.Missing:N0} missing") : "")}"))
            : new GoalResult(goal, "not measured", F($"no samples ({latency.Missing:N0} missing)"));
    }

    private FleetCar NewCar(MqttClientFactory factory, int number, int port)
    {
        var vin = Fleet.VinOf(VinPrefix, number);
        var clientOptions = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(vin)
            .WithCredentials(vin, _tokens.Mint(vin, Roles.Vehicle, TimeSpan.FromHours(12)))
            .WithCleanStart(true)
            .WithTimeout(TimeSpan.FromSeconds(30))
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(60))
            .WithoutPacketFragmentation()
            .Build();
        var car = new FleetCar(number, vin, factory.CreateMqttClient(), clientOptions);
        car.Client.DisconnectedAsync += e =>
        {
            if (e.ClientWasConnected && !_closing)
            {
                Interlocked.Increment(ref _lostConnections);
            }

            return Task.CompletedTask;
        };
        return car;
    }

    private static async Task ConnectAsync(IReadOnlyList<FleetCar> cars, CancellationToken cancel) =>
        await Parallel.ForEachAsync(cars, Concurrency(ConnectConcurrency, cancel), async (car, ct) =>
        {
            var result = await car.Client.ConnectAsync(car.Options, ct);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                throw new InvalidOperationException($"{car.Vin} was refused: {result.ResultCode} {result.ReasonString}");
            }
        });

    /// <summary>One ordinary document per twin: over MQTT for connected cars, by grain call for the others.</summary>
    private static async Task ActivateAsync(CrashCar[] crashCars, FleetCar[] streaming, int[] grainNumbers, IGrainFactory grains, CancellationToken cancel)
    {
        await Parallel.ForEachAsync(crashCars, Concurrency(ActivationConcurrency, cancel), async (crash, ct) =>
        {
            var ts = crash.NextTs();
            var result = await crash.Car.Client.PublishAsync(Message(crash.Car.Topic, CrashDocument.Ordinary(crash.Car.Number, ts, ++crash.Car.Seq)), ct);
            Expect(result, crash.Car.Vin, "its first sample");
        });

        await Parallel.ForEachAsync(streaming, Concurrency(ActivationConcurrency, cancel), async (car, ct) =>
        {
            var buffer = new byte[TelemetryPayload.MaxLength];
            var length = car.Payload.Write(buffer, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), ++car.Seq);
            var result = await car.Client.PublishAsync(Message(car.Topic, buffer, length), ct);
            Expect(result, car.Vin, "its first sample");
        });

        await Parallel.ForEachAsync(grainNumbers, Concurrency(ActivationConcurrency, cancel), async (number, _) =>
        {
            var message = new TelemetryMessage(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 1, ActivationSignals, DateTimeOffset.UtcNow);
            var result = await grains.GetVehicle<IVehicleIngest>(Fleet.VinOf(VinPrefix, number)).ApplyTelemetry(message);
            if (result.Outcome != ApplyOutcome.Applied)
            {
                throw new InvalidOperationException($"twin {Fleet.VinOf(VinPrefix, number)} did not apply its first sample: {result.Outcome}");
            }
        });
    }

    /// <summary>
    /// Open loop, as the latency scenario's: round robin over the cars at <paramref name="rate"/> in total, QoS 1, without
    /// waiting for acknowledgements; a car with <see cref="OpenLoopMaxInFlight"/> publishes unanswered skips its turn.
    /// </summary>
    private static async Task<long> StreamAsync(FleetCar[] cars, double rate, LatencyHistogram histogram, RecordingWindow window, CancellationToken stop)
    {
        var skipped = await OpenLoop.RunAsync(cars, rate, OpenLoopMaxInFlight, car => _ = Fleet.PublishTimedAsync(car, histogram, window.Contains), stop);

        var deadline = Stopwatch.GetTimestamp() + Ticks(TimeSpan.FromSeconds(60));
        while (cars.Any(c => c.InFlight > 0) && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(10, CancellationToken.None);
        }

        return skipped;
    }

    private async Task CrashAsync(CrashCar crash, HttpClient http, string verifierToken, CancellationToken cancel)
    {
        var car = crash.Car;
        try
        {
            for (var i = 0; i < WarmSamples; i++)
            {
                await DelayUntilAsync(crash.Due - Ticks((WarmSamples - i) * WarmSpacing), cancel);
                var ts = crash.NextTs();
                var warm = await car.Client.PublishAsync(Message(car.Topic, CrashDocument.Ordinary(car.Number, ts, ++car.Seq)), cancel);
                Expect(warm, car.Vin, "an ordinary sample");
            }

            await DelayUntilAsync(crash.Due, cancel);
            var crashTs = crash.NextTs();
            var message = Message(car.Topic, CrashDocument.Crash(car.Number, crashTs, ++car.Seq));
            crash.CrashTs = crashTs;

            // Set before the publish: the SSE event and the emergency.ack may arrive before PublishAsync returns.
            Interlocked.Exchange(ref crash.Started, Stopwatch.GetTimestamp());
            var result = await car.Client.PublishAsync(message, CancellationToken.None);
            var acked = Stopwatch.GetTimestamp();
            Expect(result, car.Vin, "its crash sample");
            Interlocked.Exchange(ref crash.AckedAt, acked);

            if ((crash.Index + 1) % ReadCheckEvery == 0)
            {
                crash.Readable = await ReadsAlertAsync(http, verifierToken, car.Vin, crashTs, cancel);
            }
        }
        catch (Exception ex) when (!cancel.IsCancellationRequested)
        {
            crash.Error = $"{car.Vin}: {ex.GetType().Name}: {ex.Message}";
        }
    }

    /// <summary><c>GET /api/v1/vehicles/{vin}/alerts</c> as an operator: does it return this crash's alert?</summary>
    private static async Task<bool> ReadsAlertAsync(HttpClient http, string token, string vin, long crashTs, CancellationToken cancel)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(ReadTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/vehicles/{vin}/alerts");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, timeout.Token);
        if (!response.IsSuccessStatusCode)
        {
            return false;
        }

        using var alerts = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(timeout.Token), cancellationToken: timeout.Token);
        return alerts.RootElement.ValueKind == JsonValueKind.Array && alerts.RootElement.EnumerateArray().Any(a => IsAlertOf(a, vin, crashTs));
    }

    /// <summary>The contract's alert (<c>AlertDto</c>) of this car, raised by its airbag at the crash sample's time.</summary>
    private static bool IsAlertOf(JsonElement alert, string vin, long crashTs) =>
        alert.ValueKind == JsonValueKind.Object
        && alert.TryGetProperty("vin", out var v) && v.GetString() == vin
        && alert.TryGetProperty("trigger", out var trigger) && trigger.GetString() == "airbag"
        && alert.TryGetProperty("occurredAt", out var occurred) && occurred.TryGetDateTimeOffset(out var at)
        && at == DateTimeOffset.FromUnixTimeMilliseconds(crashTs);

    /// <summary>Every crashing car's grain lists exactly one alert: this crash's. Returns how many do.</summary>
    private static async Task<int> VerifyAlertsAsync(CrashCar[] crashCars, IGrainFactory grains, CancellationToken cancel)
    {
        var stored = 0;
        await Parallel.ForEachAsync(crashCars, Concurrency(VerifyConcurrency, cancel), async (crash, _) =>
        {
            var alerts = await grains.GetVehicle<IVehicleAlerts>(crash.Car.Vin).GetAlerts(10);
            if (crash.CrashTs != 0
                && alerts.Count == 1
                && alerts[0].Incident.Trigger == CrashTrigger.Airbag
                && alerts[0].Incident.OccurredAt == DateTimeOffset.FromUnixTimeMilliseconds(crash.CrashTs))
            {
                crash.StoredAlertId = alerts[0].Id;
                Interlocked.Increment(ref stored);
            }
        });
        return stored;
    }

    private static async Task<LossCheck> VerifyTwinsAsync(IReadOnlyList<FleetCar> cars, IGrainFactory grains, CancellationToken cancel)
    {
        var behind = 0;
        var missing = 0L;
        await Parallel.ForEachAsync(cars, Concurrency(VerifyConcurrency, cancel), async (car, _) =>
        {
            var twin = await grains.GetVehicle<IVehicleTwin>(car.Vin).GetTwin();
            if (twin.LastTelemetrySeq < car.Seq)
            {
                Interlocked.Increment(ref behind);
                Interlocked.Add(ref missing, car.Seq - twin.LastTelemetrySeq);
            }
        });
        return new LossCheck(cars.Count, behind, missing);
    }

    private CrashResult Result(
        string store, string storeDetail, CrashCar[] crashCars, FleetCar[] streaming, int activatedByGrainCalls, int sseClients,
        LatencyHistogram telemetry, long skipped, double connectSeconds, double activationSeconds, double crashSeconds, int stored, LossCheck check,
        string gc)
    {
        var puback = new LatencyHistogram();
        var sse = new LatencyHistogram();
        var ack = new LatencyHistogram();
        long sseMissing = 0, ackMissing = 0;
        var maxLag = 0L;
        foreach (var crash in crashCars)
        {
            if (crash.Started != 0)
            {
                maxLag = Math.Max(maxLag, crash.Started - crash.Due);
            }

            if (crash.AckedAt != 0)
            {
                puback.Record(Microseconds(crash.AckedAt - crash.Started));
                if (crash.AckArrivedAt != 0 && crash.AckAlertId is not null && crash.AckAlertId == crash.StoredAlertId)
                {
                    ack.Record(Microseconds(crash.AckArrivedAt - crash.Started));
                }
                else
                {
                    ackMissing++;
                }
            }
            else
            {
                ackMissing++;
            }

            if (crash.Watcher is { } watcher)
            {
                if (crash.Started != 0 && watcher.AlertData is { } data && IsAlertOf(JsonDocument.Parse(data).RootElement, crash.Car.Vin, crash.CrashTs))
                {
                    sse.Record(Microseconds(watcher.AlertArrivedAt - crash.Started));
                }
                else
                {
                    sseMissing++;
                }
            }
        }

        var crashes = crashCars.Length;
        var pubackMissing = crashes - puback.Count;
        // A crash due for a read that never got one (its publish failed) is a miss as well.
        var readsDue = crashes / ReadCheckEvery;
        var readable = crashCars.Count(c => c.Readable is true);
        var readChecks = crashCars.Count(c => c.Readable is not null);
        var readMisses = readsDue - readable;
        var backgroundFailed = streaming.Sum(c => c.Failed);
        var lost = Volatile.Read(ref _lostConnections);
        var passed = pubackMissing == 0 && readMisses == 0 && stored == crashes && sseMissing == 0 && ackMissing == 0
            && check.Passed && backgroundFailed == 0 && lost == 0;
        var firstError = crashCars.Select(c => c.Error).FirstOrDefault(e => e is not null)
            ?? Watchers(crashCars).Select(w => w.Error).FirstOrDefault(e => e is not null);
        var verification = F($"{puback.Count:N0} of {crashes:N0} crash samples acknowledged; alert read over HTTP right after the PUBACK {readable} of {readsDue} times; {stored:N0} of {crashes:N0} alerts stored (each crashing car's grain lists exactly its alert); SSE alert event {sse.Count} of {sseClients}; emergency.ack {ack.Count:N0} of {crashes:N0}; {check.CarsBehind:N0} of {check.CarsChecked:N0} connected twins behind their car's last seq; {backgroundFailed:N0} ordinary publishes failed; {lost} connections lost")
            + (firstError is null ? "" : "; first error: " + firstError);

        static double? Round(double value) => double.IsNaN(value) ? null : Math.Round(value, 3);
        static CrashLatency Latency(string key, string measure, LatencyHistogram h, long missing) => new(
            key, measure, Round(h.PercentileMilliseconds(0.50)), Round(h.PercentileMilliseconds(0.99)), h.Count > 0 ? Math.Round(h.MaxMilliseconds, 3) : null, h.Count, missing);

        return new CrashResult(
            store,
            storeDetail,
            options.CrashTwins,
            crashes + streaming.Length,
            streaming.Length,
            activatedByGrainCalls,
            crashes,
            options.CrashesPerSecond,
            sseClients,
            streaming.Length > 0 ? options.CrashBackgroundRate : 0,
            crashSeconds > 0 ? Math.Round(telemetry.Count / crashSeconds, 0) : 0,
            skipped,
            backgroundFailed,
            Math.Round(connectSeconds, 1),
            Math.Round(activationSeconds, 1),
            Math.Round(crashSeconds, 1),
            Math.Round(maxLag * 1000.0 / Stopwatch.Frequency, 1),
            [
                Latency("puback", "publish -> PUBACK (alert stored, readable)", puback, pubackMissing),
                Latency("sse", "publish -> SSE alert event", sse, sseMissing),
                Latency("ack", "publish -> emergency.ack at the car", ack, ackMissing),
                Latency("telemetry", "ordinary telemetry publish -> PUBACK", telemetry, backgroundFailed),
            ],
            readChecks,
            readMisses,
            stored,
            check,
            passed,
            verification,
            gc);

        static IEnumerable<SseWatcher> Watchers(CrashCar[] cars) => cars.Select(c => c.Watcher).OfType<SseWatcher>();
    }

    /// <summary>
    /// The GC pauses in the crash window, and how many of the crashes slower than the target overlapped one: the pause
    /// stalls the silo and the load generator alike, since both run in this process.
    /// </summary>
    private static string GcDuring(IReadOnlyList<GcPause> all, long from, long until, CrashCar[] crashCars)
    {
        var pauses = all.Where(p => p.Overlaps(from, until)).ToArray();
        if (pauses.Length == 0)
        {
            return "no GC pause heard in the crash window";
        }

        var byGeneration = string.Join(", ", pauses.GroupBy(p => p.Generation).OrderBy(g => g.Key)
            .Select(g => F($"{(g.Key < 0 ? "other suspensions" : $"gen{g.Key}")} {g.Count():N0} (mean {g.Average(p => p.Milliseconds):0.0} ms, max {g.Max(p => p.Milliseconds):0.0} ms)")));
        var target = Ticks(TimeSpan.FromMilliseconds(P99TargetMs));
        var slow = crashCars.Where(c => c.Started != 0 && c.AckedAt != 0 && c.AckedAt - c.Started >= target).ToArray();
        var slowInPause = slow.Count(c => pauses.Any(p => p.Overlaps(c.Started, c.AckedAt)));
        var pausedMs = pauses.Sum(p => p.Milliseconds);
        var windowMs = (until - from) * 1000.0 / Stopwatch.Frequency;
        return F($"GC pauses in the crash window: {pauses.Length:N0}, {pausedMs:N0} ms in all ({100 * pausedMs / windowMs:0.0}% of it): {byGeneration}; {slowInPause} of the {slow.Length} crashes at or above {P99TargetMs:0} ms to the PUBACK overlapped a pause");
    }

    /// <summary>
    /// Both ends of every MQTT connection are sockets of this process. Running out of descriptors half-way fails in ways
    /// that can leave PostgreSQL behind (even starting <c>pg_ctl</c> needs a descriptor), so refuse before starting.
    /// </summary>
    private static void CheckOpenFilesLimit(int connections)
    {
        const string limits = "/proc/self/limits";
        if (!File.Exists(limits))
        {
            return;
        }

        var line = File.ReadLines(limits).FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var fields = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields is { Length: >= 4 } && long.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var soft))
        {
            var needed = (2L * connections) + OpenFilesHeadroom;
            if (needed > soft)
            {
                throw new InvalidOperationException(F($"{connections:N0} MQTT connections need about {needed:N0} open files in this process (both ends of each, plus the silo's own), above the limit of {soft:N0}; lower --crash-connected"));
            }
        }
    }

    private static async Task<string> DescribePostgresAsync(PostgresServer server, CancellationToken cancel)
    {
        await using var admin = NpgsqlDataSource.Create(server.ConnectionString);
        await using var command = admin.CreateCommand("SELECT current_setting('server_version'), current_setting('synchronous_commit'), current_setting('fsync'), current_setting('max_connections')");
        await using var reader = await command.ExecuteReaderAsync(cancel);
        await reader.ReadAsync(cancel);
        return F($"PostgresAlertStore on PostgreSQL {reader.GetString(0)} (a throwaway cluster, initdb defaults: synchronous_commit={reader.GetString(1)}, fsync={reader.GetString(2)}; max_connections={reader.GetString(3)}); every alert is one autocommitted upsert, durable when it returns");
    }

    private static async Task DisconnectAsync(IReadOnlyList<FleetCar> cars)
    {
        var disconnect = new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build();
        await Parallel.ForEachAsync(cars, new ParallelOptions { MaxDegreeOfParallelism = ConnectConcurrency }, async (car, _) =>
        {
            if (car.Client.IsConnected)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try
                {
                    await car.Client.DisconnectAsync(disconnect, timeout.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or MQTTnet.Exceptions.MqttCommunicationException)
                {
                    // The silo may already be gone; nothing is counted after this point.
                }
            }

            car.Client.Dispose();
        });
    }

    private static void Expect(MqttClientPublishResult result, string vin, string what)
    {
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"{vin}: {what} was answered {result.ReasonCode} {result.ReasonString}");
        }
    }

    private static MqttApplicationMessage Message(string topic, byte[] payload) => Message(topic, payload, payload.Length);

    private static MqttApplicationMessage Message(string topic, byte[] buffer, int length) => new()
    {
        Topic = topic,
        Payload = new ReadOnlySequence<byte>(buffer, 0, length),
        QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce,
    };

    private static ParallelOptions Concurrency(int degree, CancellationToken cancel) => new() { MaxDegreeOfParallelism = degree, CancellationToken = cancel };

    private static async Task DelayUntilAsync(long timestamp, CancellationToken cancel)
    {
        var remaining = timestamp - Stopwatch.GetTimestamp();
        if (remaining > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(remaining / (double)Stopwatch.Frequency), cancel);
        }
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    private static long Microseconds(long ticks) => ticks * 1_000_000 / Stopwatch.Frequency;

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Publishes of the ordinary telemetry started in [From, Until) are recorded: the crash window.</summary>
    private sealed class RecordingWindow
    {
        private long _from = long.MaxValue;
        private long _until = long.MaxValue;

        public long From { get => Interlocked.Read(ref _from); set => Interlocked.Exchange(ref _from, value); }

        public long Until { get => Interlocked.Read(ref _until); set => Interlocked.Exchange(ref _until, value); }

        public bool Contains(long timestamp) => timestamp >= From && timestamp < Until;
    }

    /// <summary>A crashing car: its connection, its crash's times (<see cref="Stopwatch"/> timestamps) and what it received.</summary>
    private sealed class CrashCar(int index, FleetCar car)
    {
        public long Started;
        public long AckedAt;
        private long _ackArrivedAt;
        private long _lastTs;

        public int Index { get; } = index;
        public FleetCar Car { get; } = car;
        public long Due { get; set; }
        public long CrashTs { get; set; }
        public bool? Readable { get; set; }
        public string? Error { get; set; }
        public SseWatcher? Watcher { get; set; }
        public string? StoredAlertId { get; set; }
        public string? AckAlertId { get; private set; }
        public long AckArrivedAt => Interlocked.Read(ref _ackArrivedAt);

        /// <summary>The car's clock for its next document: now, and always above the last one, as the detector requires.</summary>
        public long NextTs() => _lastTs = Math.Max(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), _lastTs + 1);

        public async Task ListenAsync(CancellationToken cancel)
        {
            Car.Client.ApplicationMessageReceivedAsync += OnMessageAsync;
            var topic = VehicleTopic.Of(Car.Vin, VehicleTopicKind.Commands);
            var result = await Car.Client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(topic, MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancel);
            if (result.Items.Any(i => i.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2))
            {
                throw new InvalidOperationException($"{Car.Vin} may not subscribe to {topic}: {string.Join(", ", result.Items.Select(i => i.ResultCode))}");
            }
        }

        private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
        {
            var arrivedAt = Stopwatch.GetTimestamp();
            if (AckArrivedAt != 0)
            {
                return Task.CompletedTask;
            }

            try
            {
                using var command = JsonDocument.Parse(e.ApplicationMessage.Payload);
                var root = command.RootElement;
                if (root.TryGetProperty("name", out var name) && name.GetString() == "emergency.ack")
                {
                    AckAlertId = root.TryGetProperty("params", out var p) && p.TryGetProperty("alertId", out var id) ? id.GetString() : null;
                    Interlocked.Exchange(ref _ackArrivedAt, arrivedAt);
                }
            }
            catch (JsonException)
            {
                // Not a command document: not the acknowledgement being waited for.
            }

            return Task.CompletedTask;
        }
    }
}
