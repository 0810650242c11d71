using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using DigitalTwin.Cluster.Tests.Support;
using DigitalTwin.Simulator;
using DigitalTwin.Testing;
using MQTTnet;
using Xunit.Abstractions;

namespace DigitalTwin.Cluster.Tests;

/// <summary>
/// Scaling as operators do it on Kubernetes, on loopback: cars reach the silos through a load balancer that follows
/// <c>/readyz</c> (<see cref="MqttLoadBalancer"/>), the fleet simulator drives them (reconnecting as cars do), a fourth
/// silo joins, then one silo gets SIGTERM and drains.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ScaleTests(ClusterFixture cluster, ITestOutputHelper output)
{
    /// <summary>Few cars on purpose: CI's two cores run the three silos, the simulator and this test.</summary>
    private const int SimulatedCars = 48;

    private const int NewCars = 12;

    /// <summary>The stop budget the manifests give the host (deploy/base/configmap.yaml, shutdownTimeoutSeconds).</summary>
    private static readonly TimeSpan StopBudget = TimeSpan.FromSeconds(45);

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_fourth_silo_takes_new_cars_and_twins_and_a_silo_drained_with_SIGTERM_loses_no_acknowledged_message_and_no_alert_while_every_car_moves_to_a_survivor()
    {
        await cluster.EnsureFullStrengthAsync();
        var original = cluster.Live;
        await using var balancer = MqttLoadBalancer.Start(cluster, original);
        await Poll.UntilAsync(() => Task.FromResult(balancer.Endpoints.Count), n => n == original.Count, Deadline, "the load balancer sends cars to every silo");
        var log = new StringWriter();
        var runId = Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var simulator = new FleetRunner(
            new SimulatorOptions
            {
                Port = balancer.Port,
                Cars = SimulatedCars,
                Rate = 2,
                Qos = 1,
                VinPrefix = "WDS" + runId,
                SigningKey = ClusterFixture.SigningKey,
                Quiet = true,
                Reconnect = true,
            },
            TextWriter.Synchronized(log));
        using var stopFleet = new CancellationTokenSource();
        var fleet = Task.Run(() => simulator.RunAsync(stopFleet.Token));
        var crashCars = new List<Car>();
        var newCars = new List<Car>();
        try
        {
            await Poll.UntilAsync(() => Task.FromResult(simulator.Cars.Count(c => c.IsConnected)), n => n == SimulatedCars, Deadline, $"the simulator's {SimulatedCars} cars are connected");
            await Poll.UntilAsync(() => Task.FromResult(simulator.Stats.Sent), n => n >= 2 * SimulatedCars, Deadline, "the fleet is driving");

            // Scale out: a fourth silo joins the cluster and the load balancer; new cars and their twins land on it too.
            var fourth = cluster.AddSilo();
            await fourth.Ready.WaitAsync(ClusterFixture.StartTimeout);
            await cluster.WaitUntilActiveAsync([.. original, fourth], original.Count + 1, Deadline);
            balancer.Add(fourth);
            await Poll.UntilAsync(() => Task.FromResult(balancer.Endpoints.Count), n => n == original.Count + 1, Deadline, "the load balancer sends cars to the fourth silo");
            var fourthTwinsBefore = await cluster.VehicleActivationsAsync(fourth);
            for (var i = 0; i < NewCars; i++)
            {
                var car = cluster.NewCar();
                newCars.Add(car);
                Assert.Equal(MQTTnet.MqttClientConnectResultCode.Success, await car.TryConnectAsync(balancer.Port));
            }

            await Task.WhenAll(newCars.Select(c => c.DriveAsync(2)));
            var fourthSessions = await SessionsAsync(fourth);
            var fourthTwins = await cluster.VehicleActivationsAsync(fourth) - fourthTwinsBefore;
            output.WriteLine($"scale-out: the fourth silo took {fourthSessions} of {NewCars} new cars and activated {fourthTwins} new twins");
            Assert.True(fourthSessions > 0, "the fourth silo took none of the new cars");
            Assert.True(fourthTwins > 0, "the fourth silo activated none of the new twins");

            // Scale in: the original silo with the most cars drains. Two cars of its own raise a crash before, two during.
            var sessions = new Dictionary<SiloProcess, int>();
            foreach (var silo in original)
            {
                sessions[silo] = await SessionsAsync(silo);
            }

            var victim = sessions.MaxBy(s => s.Value).Key;
            var survivors = cluster.Live.Where(s => s != victim).ToList();
            for (var i = 0; i < 4; i++)
            {
                var car = cluster.NewCar();
                crashCars.Add(car);
                await car.ConnectAsync(victim);
            }

            foreach (var car in crashCars.Take(2))
            {
                Assert.True((await car.SendEventAsync(1, "AirbagDeployed")).IsSuccess);
            }

            var carsOnVictim = await SessionsAsync(victim);
            var reconnectsBefore = simulator.Stats.Reconnects;
            var clock = Stopwatch.StartNew();
            victim.Terminate();

            var unready = await Poll.UntilAsync(() => cluster.ReadinessAsync(victim), r => r.Status != HttpStatusCode.OK, Deadline, $"{victim} turns unready");
            var unreadyAfter = clock.Elapsed;
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unready.Status);
            Assert.Equal(MQTTnet.MqttClientConnectResultCode.UseAnotherServer, await cluster.NewCar().TryConnectAsync(victim.MqttPort));

            // A crash during the drain: sent on the draining silo, or again through the load balancer until acknowledged.
            await Task.WhenAll(crashCars.Skip(2).Select(car => SendUntilAcknowledgedAsync(car, balancer)));
            var told = await Task.WhenAll(crashCars.Select(c => c.Lost.WaitAsync(Deadline)));
            Assert.All(told, e => Assert.Equal(MqttClientDisconnectReason.ServerShuttingDown, e.Reason));

            await victim.WaitForExitAsync(CancellationToken.None).WaitAsync(StopBudget);
            var drained = clock.Elapsed;
            Assert.Equal(0, victim.ExitCode);
            output.WriteLine(victim.LogTail(12));

            // Every car is back, on a survivor.
            await Poll.UntilAsync(() => Task.FromResult(simulator.Cars.Count(c => c.IsConnected)), n => n == SimulatedCars, Deadline, "every simulated car reconnected");
            // The test's own cars reconnect by hand: the crash cars, and the new cars the load balancer had put on the victim.
            var newCarsMoved = newCars.Where(c => c.Lost.IsCompleted).ToList();
            foreach (var car in crashCars.Concat(newCarsMoved))
            {
                Assert.Equal(MqttClientDisconnectReason.ServerShuttingDown, (await car.Lost).Reason);
                Assert.Equal(MQTTnet.MqttClientConnectResultCode.Success, await car.TryConnectAsync(balancer.Port));
            }

            var expected = SimulatedCars + NewCars + crashCars.Count;
            await Poll.UntilAsync(
                async () => (await Task.WhenAll(survivors.Select(SessionsAsync))).Sum(),
                n => n == expected,
                Deadline,
                $"the survivors hold all {expected} cars");
            var simulatedOnVictim = carsOnVictim - crashCars.Count - newCarsMoved.Count;
            Assert.True(simulator.Stats.Reconnects - reconnectsBefore >= simulatedOnVictim, $"{simulatedOnVictim} simulated cars were on {victim}, {simulator.Stats.Reconnects - reconnectsBefore} reconnected");

            // Drive on for a while through the survivors, then stop the fleet cleanly.
            var sentAfterDrain = simulator.Stats.Sent;
            await Poll.UntilAsync(() => Task.FromResult(simulator.Stats.Sent), n => n >= sentAfterDrain + (2 * SimulatedCars), Deadline, "the fleet drives on through the survivors");
            await stopFleet.CancelAsync();
            await fleet.WaitAsync(Deadline);

            // No acknowledged message lost: each twin's stored snapshot has the car's last acknowledged seq.
            var lastAcked = simulator.Cars.ToDictionary(c => c.Vin, c => c.LastAckedSeq);
            var stored = await Poll.UntilAsync(
                () => cluster.SnapshotsAsync(lastAcked.Keys),
                rows => lastAcked.All(c => rows.TryGetValue(c.Key, out var row) && row.LastTelemetrySeq >= c.Value),
                Deadline,
                "every twin stored its car's last acknowledged seq",
                describe: rows => string.Join(", ", lastAcked.Where(c => !rows.TryGetValue(c.Key, out var row) || row.LastTelemetrySeq < c.Value)
                    .Take(5).Select(c => $"{c.Key}: acked {c.Value}, stored {(rows.TryGetValue(c.Key, out var r) ? r.LastTelemetrySeq : -1)}")));
            Assert.Equal(SimulatedCars, stored.Count);
            Assert.True(simulator.Stats.Failed == 0, "refused publishes: " + log);

            // No alert lost, none doubled: each crash car has its one alert, read through a survivor.
            foreach (var car in crashCars)
            {
                var alerts = await cluster.Operator.GetStringAsync(new Uri(survivors[0].BaseAddress, $"/api/v1/vehicles/{car.Vin}/alerts"));
                using var json = JsonDocument.Parse(alerts);
                var alert = Assert.Single(json.RootElement.EnumerateArray());
                Assert.Equal("crash", alert.GetProperty("type").GetString());
            }

            var gaps = simulator.Cars.Where(c => c.Reconnects > 0).Select(c => c.LongestOffline.TotalMilliseconds).Order().ToList();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"drain of {victim}: {carsOnVictim} cars on it ({simulatedOnVictim} simulated); unready after {unreadyAfter.TotalMilliseconds:F0} ms, exited after {drained.TotalMilliseconds:F0} ms (deregistration delay 1000 ms included)"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"cars without a silo: {gaps.Count} reconnected; median {Percentile(gaps, 0.5):F0} ms, max {Percentile(gaps, 1):F0} ms; {simulator.Stats.Resent} publish(es) resent"));
            output.WriteLine(log.ToString());
            foreach (var silo in survivors)
            {
                var refused = silo.LogTail(300).Split('\n').Where(l => l.Contains("Applying a message", StringComparison.Ordinal) || l.Contains("Exception:", StringComparison.Ordinal)).Distinct().Take(6);
                output.WriteLine($"{silo}: " + string.Join(" | ", refused));
            }
        }
        finally
        {
            if (!fleet.IsCompleted)
            {
                await stopFleet.CancelAsync();
                await fleet.WaitAsync(Deadline);
            }

            foreach (var car in crashCars.Concat(newCars))
            {
                await car.DisposeAsync();
            }

            await cluster.StopExtraSilosAsync();
        }
    }

    private async Task<int> SessionsAsync(SiloProcess silo)
    {
        try
        {
            var text = await cluster.Operator.GetStringAsync(new Uri(silo.BaseAddress, "/metrics"));
            var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("digitaltwin_mqtt_sessions", StringComparison.Ordinal));
            return line is null ? 0 : (int)double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }

    /// <summary>Publishes an airbag deployment as a car does: again, through the load balancer, until a PUBACK says success.</summary>
    private static async Task SendUntilAcknowledgedAsync(Car car, MqttLoadBalancer balancer)
    {
        var deadline = DateTime.UtcNow + Deadline;
        var connected = true;
        while (DateTime.UtcNow < deadline)
        {
            if (!connected)
            {
                connected = await car.TryConnectAsync(balancer.Port) == MQTTnet.MqttClientConnectResultCode.Success;
                if (!connected)
                {
                    await Task.Delay(100);
                    continue;
                }
            }

            try
            {
                if ((await car.SendEventAsync(1, "AirbagDeployed")).IsSuccess)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException or OperationCanceledException)
            {
                connected = false;
            }
        }

        Assert.Fail($"{car.Vin}: the crash was never acknowledged");
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1 < 0 ? 0 : (int)Math.Ceiling(p * sorted.Count) - 1)];
}
