using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Contract.Topics;
using DigitalTwin.Silo;
using DigitalTwin.Testing;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace DigitalTwin.Bench;

/// <summary>
/// The external-broker mode next to the embedded broker, in one run: the same generator (cars publishing telemetry at
/// QoS 1, a window of messages in flight each) against (a) a silo's embedded broker and (b) Debian's Mosquitto with a
/// silo in <c>Mqtt:Mode=External</c> on the shared subscription. Applied msgs/s is counted by the silo
/// (<c>digitaltwin_mqtt_messages_total{outcome="applied"}</c>), from the first publish to the last message applied.
/// The latency is the generator's publish-to-PUBACK time: in embedded mode that is "applied to the twin"; behind
/// Mosquitto it only means "the broker has it", so the drain time after the last PUBACK is reported beside it.
/// </summary>
public sealed class ExternalBench(BenchOptions options, string command, TextWriter output)
{
    private const int Window = 10;
    private const string VinPrefix = "WDD2030461X";

    public async Task<int> RunAsync(CancellationToken cancel)
    {
        var results = new List<ExternalRound>();
        await using (var embedded = await StartSiloAsync([], cancel))
        {
            results.Add(await RoundAsync("embedded", embedded, embedded.MqttPort, cancel));
        }

        await using (var broker = await MosquittoBroker.StartAsync())
        {
            await using var external = await StartSiloAsync(
            [
                "--Mqtt:Mode=External",
                "--Mqtt:External:Host=127.0.0.1",
                F($"--Mqtt:External:Port={broker.Port}"),
                "--Mqtt:External:InstanceName=bench",
            ], cancel);
            await WaitSubscribedAsync(external, cancel);
            results.Add(await RoundAsync("external (Mosquitto)", external, broker.Port, cancel));
        }

        var load = File.ReadAllText("/proc/loadavg").Split(' ')[..3];
        Say($"external: load average {string.Join(' ', load)} (1, 5, 15 min) at the end");
        var report = new { Command = command, StartedAt = DateTimeOffset.UtcNow, Machine = MachineInfo.Current(), LoadAverage = load, Rounds = results };
        var path = options.OutPath == Path.Combine("bench-results", "result.json") ? Path.Combine("bench-results", "external.json") : options.OutPath;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, ReportWriter.Json), cancel);
        Say($"external: JSON written to {Path.GetFullPath(path)}");
        return results.All(r => r.Applied == r.Messages) ? 0 : 1;
    }

    private async Task<SiloProcess> StartSiloAsync(string[] settings, CancellationToken cancel)
    {
        var silo = SiloProcess.Start(1, typeof(SiloHost).Assembly.Location,
        [
            .. settings,
            "--environment=Development",
            "--Mqtt:AllowAnonymous=true",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:DigitalTwin=Information",
        ]);
        await silo.Ready.WaitAsync(TimeSpan.FromSeconds(180), cancel);
        return silo;
    }

    private static async Task WaitSubscribedAsync(SiloProcess silo, CancellationToken cancel)
    {
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!(await http.GetStringAsync(new Uri(silo.BaseAddress, "/readyz"), cancel)).Contains("\"mqtt\":{\"status\":\"Healthy\"", StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException("the external-mode silo did not subscribe to Mosquitto within 60 s");
            }

            await Task.Delay(100, cancel);
        }
    }

    private async Task<ExternalRound> RoundAsync(string name, SiloProcess silo, int port, CancellationToken cancel)
    {
        var cars = options.ExternalCars;
        var perCar = options.ExternalMessages;
        using var http = new HttpClient();
        var before = await AppliedAsync(http, silo, cancel);
        var clients = await Task.WhenAll(Enumerable.Range(1, cars).Select(n => ConnectAsync(port, n, cancel)));
        var histogram = new LatencyHistogram();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(clients.Select((client, index) => DriveAsync(client, VinOf(index + 1), perCar, histogram, cancel)));
        var published = clock.Elapsed;
        var total = cars * perCar;
        long applied;
        var deadline = published + TimeSpan.FromSeconds(120);
        while ((applied = await AppliedAsync(http, silo, cancel) - before) < total && clock.Elapsed < deadline)
        {
            await Task.Delay(20, cancel);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        foreach (var client in clients)
        {
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), cancel);
            client.Dispose();
        }

        var round = new ExternalRound(name, cars, perCar, total, applied, seconds, applied / seconds, published.TotalSeconds,
            histogram.PercentileMilliseconds(0.50), histogram.PercentileMilliseconds(0.99));
        Say(F($"external {name}: {applied:N0} of {total:N0} applied in {seconds:0.00} s = {round.AppliedPerSecond:N0} msgs/s; last PUBACK after {round.PublishedSeconds:0.00} s; publish-to-PUBACK p50 {round.P50Ms:0.0} ms, p99 {round.P99Ms:0.0} ms"));
        return round;
    }

    private static async Task<IMqttClient> ConnectAsync(int port, int n, CancellationToken cancel)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId(VinOf(n))
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithoutPacketFragmentation()
            .WithCleanStart()
            .Build();
        await client.ConnectAsync(options, cancel);
        return client;
    }

    private static async Task DriveAsync(IMqttClient client, string vin, int perCar, LatencyHistogram histogram, CancellationToken cancel)
    {
        var topic = VehicleTopic.Of(vin, VehicleTopicKind.Telemetry);
        var baseTs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using var window = new SemaphoreSlim(Window);
        var inFlight = new List<Task>(perCar);
        for (var seq = 1; seq <= perCar; seq++)
        {
            await window.WaitAsync(cancel);
            var payload = TelemetryDocument.Write(baseTs + seq, seq, 50.0 + (seq % 50), static (json, speed) => json.WriteNumber(SignalCatalogue.Speed, speed));
            var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
            var started = Stopwatch.GetTimestamp();
            inFlight.Add(PublishAsync(client, message, started, histogram, window, cancel));
        }

        await Task.WhenAll(inFlight);
    }

    private static async Task PublishAsync(IMqttClient client, MqttApplicationMessage message, long started, LatencyHistogram histogram, SemaphoreSlim window, CancellationToken cancel)
    {
        try
        {
            await client.PublishAsync(message, cancel);
            histogram.Record((long)Stopwatch.GetElapsedTime(started).TotalMicroseconds);
        }
        finally
        {
            window.Release();
        }
    }

    private static async Task<long> AppliedAsync(HttpClient http, SiloProcess silo, CancellationToken cancel)
    {
        var text = await http.GetStringAsync(new Uri(silo.BaseAddress, "/metrics"), cancel);
        double sum = 0;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("digitaltwin_mqtt_messages_total{", StringComparison.Ordinal)
                && line.Contains("topic=\"telemetry\"", StringComparison.Ordinal)
                && line.Contains("outcome=\"applied\"", StringComparison.Ordinal))
            {
                sum += double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return (long)sum;
    }

    private static string VinOf(int n) => VinPrefix + n.ToString("D6", CultureInfo.InvariantCulture);

    private void Say(string line) => output.WriteLine(line);

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

public sealed record ExternalRound(string Mode, int Cars, int MessagesPerCar, int Messages, long Applied, double Seconds, double AppliedPerSecond, double PublishedSeconds, double P50Ms, double P99Ms);
