using System.Diagnostics;
using System.Globalization;
using DigitalTwin.Cluster.Tests.Support;
using DigitalTwin.Testing;
using Xunit.Abstractions;

namespace DigitalTwin.Cluster.Tests;

/// <summary>
/// Three silo processes on one PostgreSQL, driven like production: cars over MQTT to different silos, operators over
/// HTTP to any silo, and a silo that dies with <c>kill -9</c>.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTests(ClusterFixture cluster, ITestOutputHelper output)
{
    /// <summary>Generous: the figure that matters is printed; this only catches a cluster that never recovers.</summary>
    private static readonly TimeSpan FailoverDeadline = TimeSpan.FromSeconds(60);

    /// <summary>Many flush intervals, for a loaded machine.</summary>
    private static readonly TimeSpan StorageDeadline = TimeSpan.FromSeconds(30);

    /// <summary>Slower than a single request; fast enough to measure failover in tenths of a second.</summary>
    private static readonly TimeSpan FailoverPollInterval = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task Telemetry_sent_through_any_silo_is_readable_through_every_silo()
    {
        await cluster.EnsureFullStrengthAsync();
        var silos = cluster.Live;
        await using var fleet = await Fleet.ConnectAsync(cluster, 2 * silos.Count, i => silos[i % silos.Count]);

        await fleet.DriveAsync(3);

        foreach (var car in fleet.Cars)
        {
            var views = new List<TwinView>();
            foreach (var silo in silos)
            {
                // A QoS 1 PUBACK means the twin applied the document: every silo must show it at once, no waiting.
                var view = await cluster.ReadTwinAsync(silo, car.Vin);
                Assert.True(view.Shows(3) && view.Online, $"{car.Vin}, fed through silo {car.Silo!.Number}, read through silo {silo.Number}: {view}");
                views.Add(view);
            }

            // One twin, not one per silo.
            Assert.Single(views.Select(v => v.Version).Distinct());
        }
    }

    [Fact]
    public async Task After_kill_9_of_a_silo_every_twin_is_served_by_the_survivors_from_its_last_snapshot()
    {
        await cluster.EnsureFullStrengthAsync();
        var silos = cluster.Live;
        var activationsBefore = await ActivationsAsync(silos);
        await using var fleet = await Fleet.ConnectAsync(cluster, 3 * silos.Count, i => silos[i % silos.Count]);
        await fleet.DriveAsync(4);

        // Kill the silo that hosts most of this test's twins, so that the kill costs twins their activation.
        var hosted = await Poll.UntilAsync(
            async () => Subtract(await ActivationsAsync(silos), activationsBefore),
            d => d.Values.Sum() >= fleet.Cars.Count,
            TimeSpan.FromSeconds(10),
            "the vehicle activation gauges account for every twin of this test",
            describe: Describe);
        var victim = hosted.MaxBy(h => h.Value).Key;
        Assert.True(hosted[victim] > 0);
        var survivors = silos.Where(s => s != victim).ToList();

        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var car in fleet.Cars)
        {
            var view = await cluster.ReadTwinAsync(car.Silo!, car.Vin);
            Assert.True(view.Shows(car.LastSeq), $"{car.Vin} before the kill: {view}");
            versions[car.Vin] = view.Version;
        }

        await WaitForSnapshotsAsync(fleet.Cars, versions);

        var clock = Stopwatch.StartNew();
        victim.Kill();
        var declaredDead = WhenAsync(clock, cluster.WaitUntilActiveAsync(survivors, silos.Count - 1, FailoverDeadline));
        var served = fleet.Cars
            .SelectMany(car => survivors.Select(silo => WhenAsync(clock, WaitUntilServedAsync(silo, car, versions[car.Vin]))))
            .ToList();
        var servedAfter = await Task.WhenAll(served);
        var deadAfter = await declaredDead;

        var sorted = servedAfter.Order().ToArray();
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Killed (SIGKILL) {victim}, which hosted {hosted[victim]} of the {fleet.Cars.Count} twins; membership: {cluster.MembershipDescription}; flush interval {ClusterFixture.FlushInterval.TotalMilliseconds} ms."));
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Failover: every twin served with its last snapshot through every survivor after {sorted[^1].TotalSeconds:0.00} s (per twin and survivor: min {sorted[0].TotalSeconds:0.00} s, median {sorted[sorted.Length / 2].TotalSeconds:0.00} s); survivors reported {silos.Count - 1} active silos after {deadAfter.TotalSeconds:0.00} s."));

        // The survivors are still ready, and PostgreSQL still holds every twin's last state.
        foreach (var survivor in survivors)
        {
            var readiness = await cluster.ReadinessAsync(survivor);
            Assert.True(readiness.Status == System.Net.HttpStatusCode.OK && readiness.Postgres == "Healthy", $"{survivor}: {readiness}");
        }

        var rows = await cluster.SnapshotsAsync(fleet.Vins);
        Assert.All(fleet.Cars, car => Assert.Equal(car.LastSeq, rows[car.Vin].LastTelemetrySeq));
    }

    [Fact]
    public async Task A_car_whose_silo_was_killed_reconnects_to_a_survivor_and_its_next_seq_is_applied()
    {
        await cluster.EnsureFullStrengthAsync();
        var silos = cluster.Live;
        var victim = silos[0];
        var survivors = silos.Skip(1).ToList();
        await using var fleet = await Fleet.ConnectAsync(cluster, 3, _ => victim);
        await fleet.DriveAsync(3);
        await WaitForSnapshotsAsync(fleet.Cars);

        var clock = Stopwatch.StartNew();
        victim.Kill();

        var resumed = fleet.Cars.Select((car, i) => WhenAsync(clock, ResumeAsync(car, survivors[i % survivors.Count]))).ToList();
        var resumedAfter = await Task.WhenAll(resumed);

        foreach (var car in fleet.Cars)
        {
            Assert.Equal(4, car.LastSeq);
            foreach (var survivor in survivors)
            {
                // A survivor that still has the dead silo in its cache answers "not now" (503) until membership settles.
                var served = await Poll.UntilAsync(
                    async () =>
                    {
                        var answer = await cluster.ReadTwinAsync(survivor, car.Vin);
                        Assert.True(answer.IsTransient || answer.Shows(4), $"{car.Vin}, resumed through silo {car.Silo!.Number}, read through silo {survivor.Number}: {answer}");
                        return answer;
                    },
                    answer => answer.IsOk,
                    FailoverDeadline,
                    $"{car.Vin} is served through silo {survivor.Number}",
                    describe: answer => answer.ToString());
                Assert.True(served.Shows(4), $"{car.Vin}, resumed through silo {car.Silo!.Number}, read through silo {survivor.Number}: {served}");
            }
        }

        await WaitForSnapshotsAsync(fleet.Cars);
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Cars of the killed {victim} had seq 4 applied through a survivor after {string.Join(", ", resumedAfter.Select(t => t.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)))} s; membership: {cluster.MembershipDescription}."));
    }

    /// <summary>
    /// What a car does when its broker goes away: notice, connect to another silo, and send its next seq until the broker
    /// acknowledges it with success (while the twin's old silo is not yet declared dead, the PUBACK is an error).
    /// </summary>
    private async Task ResumeAsync(Car car, SiloProcess survivor)
    {
        await Poll.UntilAsync(() => Task.FromResult(car.IsConnected), connected => !connected, TimeSpan.FromSeconds(30), $"{car.Vin} notices that its broker is gone");
        await car.ConnectAsync(survivor);
        var next = car.LastSeq + 1;
        await Poll.UntilAsync(
            () => car.SendAsync(next),
            ack => ack.IsSuccess,
            FailoverDeadline,
            $"seq {next} of {car.Vin} is acknowledged by silo {survivor.Number}",
            FailoverPollInterval,
            ack => $"PUBACK {ack.ReasonCode} {ack.ReasonString}");
    }

    /// <summary>
    /// Polls one twin through one silo until it answers with the car's last document. A failover may say "not now"; a
    /// wrong twin (older data, or none: 404) fails at once, since asking again would not bring the lost data back.
    /// </summary>
    private Task WaitUntilServedAsync(SiloProcess silo, Car car, long version) =>
        Poll.UntilAsync(
            async () =>
            {
                var view = await cluster.ReadTwinAsync(silo, car.Vin);
                if (!view.IsTransient && !(view.Shows(car.LastSeq) && view.Version >= version))
                {
                    Assert.Fail($"{car.Vin} through silo {silo.Number} after the kill is not its last snapshot (seq {car.LastSeq}, version {version}): {view}");
                }

                return view;
            },
            view => view.IsOk,
            FailoverDeadline,
            $"{car.Vin} is served through silo {silo.Number}",
            FailoverPollInterval);

    private Task WaitForSnapshotsAsync(IReadOnlyList<Car> cars, IReadOnlyDictionary<string, long>? versions = null) =>
        Poll.UntilAsync(
            () => cluster.SnapshotsAsync(cars.Select(c => c.Vin)),
            rows => cars.All(c => rows.TryGetValue(c.Vin, out var row)
                && row.LastTelemetrySeq == c.LastSeq
                && row.Speed == Car.SpeedAt(c.LastSeq)
                && row.SpeedTs == Car.TsAt(c.LastSeq)
                && (versions is null || row.Version == versions[c.Vin])),
            StorageDeadline,
            "vehicle_snapshots holds the last seq of every car",
            describe: rows => string.Join("; ", cars.Select(c => $"{c.Vin} sent {c.LastSeq}, stored {(rows.TryGetValue(c.Vin, out var r) ? r.ToString() : "nothing")}")));

    private async Task<Dictionary<SiloProcess, int>> ActivationsAsync(IReadOnlyList<SiloProcess> silos)
    {
        var counts = new Dictionary<SiloProcess, int>();
        foreach (var silo in silos)
        {
            counts[silo] = await cluster.VehicleActivationsAsync(silo);
        }

        return counts;
    }

    private static Dictionary<SiloProcess, int> Subtract(Dictionary<SiloProcess, int> after, Dictionary<SiloProcess, int> before) =>
        after.ToDictionary(a => a.Key, a => a.Value - before.GetValueOrDefault(a.Key));

    private static string Describe(Dictionary<SiloProcess, int> counts) =>
        string.Join(", ", counts.Select(c => $"silo {c.Key.Number}: {c.Value}"));

    private static async Task<TimeSpan> WhenAsync(Stopwatch clock, Task task)
    {
        await task;
        return clock.Elapsed;
    }
}
