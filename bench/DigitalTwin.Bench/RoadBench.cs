using System.Diagnostics;
using System.Globalization;
using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.FleetQuery;
using DigitalTwin.Grains.Abstractions.Road;
using DigitalTwin.Grains.Abstractions.Telemetry;
using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Grains.FleetQuery;
using DigitalTwin.Grains.Road;
using Microsoft.Extensions.DependencyInjection;

namespace DigitalTwin.Bench;

/// <summary>
/// The road scenarios of issue 18 (<c>--road</c>), against the real silo in this process with in-memory storage:
/// what the twin's road feed costs per message, how many cell updates per second the cells take with 10,000 moving cars,
/// fleet query latency over 100,000 indexed twins, and ingest with and without positions (so with and without feeding cells).
/// </summary>
public sealed class RoadBench(BenchOptions options, string command, TextWriter output)
{
    private const string SigningKey = "road-bench-signing-key-long-enough-for-hs256";

    // A 10 x 10 km city around Berlin: ~200 road cells.
    private const double CenterLat = 52.52;
    private const double CenterLon = 13.405;

    private int Cars => options.Smoke ? 1_000 : 10_000;
    private int IndexedTwins => options.Smoke ? 10_000 : 100_000;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        output.WriteLine($"# Road bench ({DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores)");
        output.WriteLine();
        output.WriteLine($"`{command}`");
        output.WriteLine();
        FeedCost();

        var app = BenchSilo.Build(SigningKey, Ports.Free());
        await app.StartAsync(cancellationToken);
        try
        {
            var grains = app.Services.GetRequiredService<IGrainFactory>();
            await CellUpdatesAsync(grains, cancellationToken);
            await FleetQueryAsync(grains, cancellationToken);
            await IngestAsync(grains, cancellationToken);
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }

        return 0;
    }

    private sealed class Car(int index, Random random)
    {
        public string Vin { get; } = $"WDD2030461B{index:D6}";
        public double Lat { get; set; } = CenterLat + ((random.NextDouble() - 0.5) * 0.09);
        public double Lon { get; set; } = CenterLon + ((random.NextDouble() - 0.5) * 0.15);
        public double Heading { get; } = random.Next(0, 360);
        public double Speed { get; } = 30 + random.Next(0, 70);

        /// <summary>One second of driving along its heading.</summary>
        public void Move()
        {
            var meters = Speed / 3.6;
            Lat += meters * Math.Cos(Heading * Math.PI / 180) / 111_320;
            Lon += meters * Math.Sin(Heading * Math.PI / 180) / (111_320 * Math.Cos(Lat * Math.PI / 180));
        }

        public SignalSample[] Signals(bool withPosition) =>
        [
            new(SignalCatalogue.Speed, SignalValue.FromNumber(Speed)),
            new(withPosition ? SignalCatalogue.Latitude : "Vehicle.Bench.Lat", SignalValue.FromNumber(Lat)),
            new(withPosition ? SignalCatalogue.Longitude : "Vehicle.Bench.Lon", SignalValue.FromNumber(Lon)),
            new(withPosition ? SignalCatalogue.Heading : "Vehicle.Bench.Heading", SignalValue.FromNumber(Heading)),
            new(SignalCatalogue.AccelerationLongitudinal, SignalValue.FromNumber(-0.2)),
        ];
    }

    private List<Car> Fleet(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i => new Car(i, random)).ToList();
    }

    /// <summary>The twin's side alone: RoadFeed.Observe per applied document, 1 Hz documents of moving cars.</summary>
    private void FeedCost()
    {
        var cars = Fleet(Cars, 1);
        var feeds = cars.Select(_ => new RoadFeed(new HazardOptions(), new TrafficOptions())).ToArray();
        var twins = cars.Select(_ => new Dictionary<string, SignalReading>(StringComparer.Ordinal)).ToArray();
        var now = DateTimeOffset.UtcNow;
        long docs = 0;
        long told = 0;
        var elapsed = TimeSpan.Zero;
        const int Seconds = 60;
        for (var second = 0; second < Seconds; second++)
        {
            var messages = new TelemetryMessage[cars.Count];
            for (var i = 0; i < cars.Count; i++)
            {
                cars[i].Move();
                var signals = cars[i].Signals(withPosition: true);
                messages[i] = new TelemetryMessage(second, second, signals, now);
                foreach (var s in signals)
                {
                    twins[i][s.Name] = new SignalReading(s.Value, second);
                }
            }

            var at = now.AddSeconds(second);
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < cars.Count; i++)
            {
                if (feeds[i].Observe(cars[i].Vin, messages[i], twins[i], at) is not null)
                {
                    told++;
                }
            }

            elapsed += watch.Elapsed;
            docs += cars.Count;
        }

        output.WriteLine("## The twin's road feed (plain class, per applied document)");
        output.WriteLine();
        output.WriteLine("| cars | documents | ns per document | cell messages per document |");
        output.WriteLine("|---|---|---|---|");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {cars.Count:N0} | {docs:N0} | {elapsed.TotalNanoseconds / docs:0} | {(double)told / docs:0.000} |"));
        output.WriteLine();
    }

    /// <summary>Cell updates per second through the real grains: every car tells its cell once a round, then a barrier.</summary>
    private async Task CellUpdatesAsync(IGrainFactory grains, CancellationToken cancellationToken)
    {
        var cars = Fleet(Cars, 2);
        var rounds = options.Smoke ? 3 : 20;
        long updates = 0;
        var cells = new HashSet<string>(StringComparer.Ordinal);
        var watch = Stopwatch.StartNew();
        for (var round = 0; round < rounds && !cancellationToken.IsCancellationRequested; round++)
        {
            var now = DateTimeOffset.UtcNow;
            foreach (var car in cars)
            {
                car.Move();
                var cell = Geohash.Encode(car.Lat, car.Lon, Geohash.CellPrecision);
                cells.Add(cell);
                await grains.GetGrain<IRoadCellGrain>(cell).Observe(new RoadObservation(car.Vin, now, car.Lat, car.Lon, car.Heading, car.Speed, RoadIncident.None));
                updates++;
            }

            // A cell answers only after the one-way calls queued before it: when all answer, all were applied.
            await Task.WhenAll(cells.Select(c => grains.GetGrain<IRoadCellGrain>(c).GetTraffic().AsTask()));
        }

        var seconds = watch.Elapsed.TotalSeconds;
        output.WriteLine("## Cell updates (RoadCellGrain.Observe, one-way, in-process silo)");
        output.WriteLine();
        output.WriteLine("| moving cars | cells | updates | updates/s |");
        output.WriteLine("|---|---|---|---|");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {cars.Count:N0} | {cells.Count:N0} | {updates:N0} | {updates / seconds:N0} |"));
        output.WriteLine();
    }

    /// <summary>Fleet query latency over the index partitions, merged as the API merges them.</summary>
    private async Task FleetQueryAsync(IGrainFactory grains, CancellationToken cancellationToken)
    {
        const int Partitions = 16;
        var random = new Random(3);
        for (var i = 0; i < IndexedTwins; i++)
        {
            var vin = $"WDD2030461X{i:D6}";
            var signals = new Dictionary<string, SignalReading>(StringComparer.Ordinal)
            {
                [SignalCatalogue.StateOfCharge] = new(SignalValue.FromNumber(random.Next(0, 101)), 1),
                [SignalCatalogue.Speed] = new(SignalValue.FromNumber(random.Next(0, 3) == 0 ? 0 : random.Next(1, 130)), 1),
                [SignalCatalogue.Latitude] = new(SignalValue.FromNumber(CenterLat + ((random.NextDouble() - 0.5) * 2)), 1),
                [SignalCatalogue.Longitude] = new(SignalValue.FromNumber(CenterLon + ((random.NextDouble() - 0.5) * 3)), 1),
                [SignalCatalogue.IsCharging] = new(SignalValue.FromBoolean(random.Next(0, 4) == 0), 1),
            };
            await grains.GetGrain<IFleetIndexGrain>(FleetQueryOptions.PartitionOf(vin, Partitions))
                .Upsert(new FleetIndexEntry(vin, random.Next(0, 2) == 0, DateTimeOffset.UtcNow, signals));
        }

        var box = new GeoBox(CenterLon - 0.1, CenterLat - 0.1, CenterLon + 0.1, CenterLat + 0.1);
        (string Name, FleetQuerySpec Spec)[] queries =
        [
            ("`StateOfCharge<20`, 50 per page", new FleetQuerySpec("Vehicle.Powertrain.TractionBattery.StateOfCharge.Current<20", null, null, null, 51, null)),
            ("3 predicates + online", new FleetQuerySpec("Vehicle.Powertrain.TractionBattery.StateOfCharge.Current<50 and Vehicle.Speed=0 and Vehicle.Powertrain.TractionBattery.Charging.IsCharging=false", null, true, null, 51, null)),
            ("bbox 0.2 x 0.2 degrees", new FleetQuerySpec(null, box, null, null, 51, null)),
        ];
        var runs = options.Smoke ? 20 : 200;
        output.WriteLine($"## Fleet query over {IndexedTwins:N0} indexed twins ({Partitions} partitions, grain calls merged like the API; no HTTP, no owner lookups)");
        output.WriteLine();
        output.WriteLine("| query | runs | p50 ms | p99 ms | matches on page |");
        output.WriteLine("|---|---|---|---|---|");
        foreach (var (name, spec) in queries)
        {
            var times = new List<double>(runs);
            var matches = 0;
            for (var run = 0; run < runs + 5 && !cancellationToken.IsCancellationRequested; run++)
            {
                var watch = Stopwatch.StartNew();
                var pages = await Task.WhenAll(Enumerable.Range(0, Partitions).Select(p => grains.GetGrain<IFleetIndexGrain>(p).Query(spec).AsTask()));
                matches = pages.SelectMany(p => p).OrderBy(e => e.Vin, StringComparer.Ordinal).Take(50).Count();
                if (run >= 5)
                {
                    times.Add(watch.Elapsed.TotalMilliseconds);
                }
            }

            times.Sort();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {times.Count} | {Percentile(times, 50):0.0} | {Percentile(times, 99):0.0} | {matches} |"));
        }

        output.WriteLine();
    }

    /// <summary>ApplyTelemetry through the twins: documents with positions feed cells, the same documents without do not.</summary>
    private async Task IngestAsync(IGrainFactory grains, CancellationToken cancellationToken)
    {
        var docsPerCar = options.Smoke ? 5 : 20;
        output.WriteLine("## Ingest with and without feeding the cells (IVehicleIngest.ApplyTelemetry, 256 in flight)");
        output.WriteLine();
        output.WriteLine("| documents | cars | docs/s | per doc µs |");
        output.WriteLine("|---|---|---|---|");
        foreach (var withPosition in new[] { false, true, false, true })
        {
            // 2,000 cars x 20 documents x 4 runs is enough to compare; 10,000 would take minutes on a shared 2-core machine.
            var cars = Fleet(Math.Min(Cars, 2_000), withPosition ? 4 : 5).Select(c => (Car: c, Vin: (withPosition ? "WDD2030461P" : "WDD2030461N") + c.Vin[^6..])).ToList();
            var watch = Stopwatch.StartNew();
            using var gate = new SemaphoreSlim(256);
            var tasks = new List<Task>(cars.Count * docsPerCar);
            for (var seq = 1; seq <= docsPerCar && !cancellationToken.IsCancellationRequested; seq++)
            {
                foreach (var (car, vin) in cars)
                {
                    car.Move();
                    await gate.WaitAsync(cancellationToken);
                    var message = new TelemetryMessage(seq, seq + (Environment.TickCount64 * 100), car.Signals(withPosition), DateTimeOffset.UtcNow);
                    tasks.Add(Apply(grains.GetVehicle<IVehicleIngest>(vin), message, gate));
                }
            }

            await Task.WhenAll(tasks);
            var seconds = watch.Elapsed.TotalSeconds;
            var docs = cars.Count * docsPerCar;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {(withPosition ? "with positions (feeding cells)" : "without positions (no cell messages)")} | {cars.Count:N0} | {docs / seconds:N0} | {seconds * 1e6 / docs:0.0} |"));
        }

        output.WriteLine();
        output.WriteLine("Each variant runs twice on the same twins: the first run includes their activation, compare the second rows.");

        static async Task Apply(IVehicleIngest twin, TelemetryMessage message, SemaphoreSlim gate)
        {
            try
            {
                await twin.ApplyTelemetry(message);
            }
            finally
            {
                gate.Release();
            }
        }
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100 * sorted.Count) - 1)];
}
