using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Confluent.Kafka;
using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Telemetry;
using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Testing;
using DigitalTwin.Views;

namespace DigitalTwin.KafkaBatching;

/// <summary>
/// For each linger.ms and compression: a burst of vehicle-twins records as fast as the producer takes them (records/s,
/// bytes on the wire per record, CPU of this process per record), then a steady 2,000 records/s, a fleet of 2,000 cars
/// flushing once a second (bytes on the wire per record, delivery latency p50/p99). The producer is set up as the
/// silo's (idempotent, acks=all); the cluster is librdkafka's mock in a process of its own, on the same cores.
/// </summary>
internal static class Program
{
    private const string Topic = "vehicle-twins";
    private const int Cars = 4096;

    public static async Task<int> Main(string[] args)
    {
        var burst = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200_000;
        var steadySeconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        var twins = MakeTwins();
        Console.WriteLine($"{twins.Length} distinct twin records, {twins.Average(t => t.Value.Length):0} bytes on average " +
                          $"({twins.Min(t => t.Value.Length)}-{twins.Max(t => t.Value.Length)}); burst {burst:N0} records, steady 2,000/s for {steadySeconds} s");

        await using var kafka = await KafkaMockCluster.StartAsync(new KafkaMockClusterOptions
        {
            Brokers = 3,
            Topics = new Dictionary<string, int> { [Topic] = 6 },
        });

        Console.WriteLine();
        Console.WriteLine("| linger.ms | compression | burst records/s | burst wire bytes/record | burst CPU µs/record | steady wire bytes/record | steady p50 ms | steady p99 ms |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var linger in new[] { 0, 5, 20 })
        {
            foreach (var compression in new[] { CompressionType.None, CompressionType.Lz4, CompressionType.Zstd })
            {
                var result = Measure(kafka.BootstrapServers, linger, compression, twins, burst, steadySeconds);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {linger} | {compression.ToString().ToLowerInvariant()} | {result.RecordsPerSecond:N0} | {result.WireBytesPerRecord:N0} | {result.CpuMicrosPerRecord:0.0} | {result.SteadyWireBytesPerRecord:N0} | {result.P50:0.0} | {result.P99:0.0} |"));
            }
        }

        return 0;
    }

    private sealed record Result(double RecordsPerSecond, double WireBytesPerRecord, double CpuMicrosPerRecord, double SteadyWireBytesPerRecord, double P50, double P99);

    private static Result Measure(string bootstrap, int linger, CompressionType compression, Message<string, byte[]>[] twins, int burst, int steadySeconds)
    {
        long txBytes = 0;
        var statsSeen = 0;
        var config = new ProducerConfig
        {
            BootstrapServers = bootstrap,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = linger,
            CompressionType = compression,
            QueueBufferingMaxMessages = 100_000,
            StatisticsIntervalMs = 200,
        };
        using var producer = new ProducerBuilder<string, byte[]>(config)
            .SetStatisticsHandler((_, json) =>
            {
                using var stats = JsonDocument.Parse(json);
                Interlocked.Exchange(ref txBytes, stats.RootElement.GetProperty("tx_bytes").GetInt64());
                Interlocked.Increment(ref statsSeen);
            })
            .Build();

        // Connected, with the topic's metadata, before anything is timed.
        producer.ProduceAsync(Topic, twins[0]).GetAwaiter().GetResult();

        var failed = 0;
        Action<DeliveryReport<string, byte[]>> counted = report =>
        {
            if (report.Error.IsError)
            {
                Interlocked.Increment(ref failed);
            }
        };

        var bytesBefore = WireBytesAfterNextStats(ref txBytes, ref statsSeen);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < burst; i++)
        {
            while (true)
            {
                try
                {
                    producer.Produce(Topic, twins[i % twins.Length], counted);
                    break;
                }
                catch (ProduceException<string, byte[]> ex) when (ex.Error.Code == Confluent.Kafka.ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(5));
                }
            }
        }

        producer.Flush(TimeSpan.FromMinutes(2));
        var elapsed = Stopwatch.GetElapsedTime(started);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var bytesAfter = WireBytesAfterNextStats(ref txBytes, ref statsSeen);
        if (failed > 0)
        {
            throw new InvalidOperationException($"{failed} records failed");
        }

        // Steady: 2,000 records a second, evenly spaced, each timed from Produce to its delivery report.
        var steadyBytesBefore = bytesAfter;
        var latencies = new List<double>(2000 * steadySeconds);
        var total = 2000 * steadySeconds;
        var steadyStart = Stopwatch.GetTimestamp();
        for (var i = 0; i < total; i++)
        {
            var due = steadyStart + (long)(i * (Stopwatch.Frequency / 2000.0));
            while (Stopwatch.GetTimestamp() < due)
            {
                Thread.SpinWait(50);
            }

            var at = Stopwatch.GetTimestamp();
            producer.Produce(Topic, twins[i % twins.Length], report =>
            {
                var ms = Stopwatch.GetElapsedTime(at).TotalMilliseconds;
                lock (latencies)
                {
                    latencies.Add(ms);
                }
            });
        }

        producer.Flush(TimeSpan.FromMinutes(1));
        var steadyBytes = WireBytesAfterNextStats(ref txBytes, ref statsSeen) - steadyBytesBefore;
        latencies.Sort();
        return new Result(
            burst / elapsed.TotalSeconds,
            (bytesAfter - bytesBefore) / (double)burst,
            cpu.TotalMilliseconds * 1000 / burst,
            steadyBytes / (double)total,
            latencies[latencies.Count / 2],
            latencies[(int)(latencies.Count * 0.99)]);
    }

    /// <summary>librdkafka's byte count from a statistics report made after this call, so it covers what was sent so far.</summary>
    private static long WireBytesAfterNextStats(ref long txBytes, ref int statsSeen)
    {
        var seen = Volatile.Read(ref statsSeen);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (Volatile.Read(ref statsSeen) < seen + 2 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }

        return Interlocked.Read(ref txBytes);
    }

    /// <summary>Twin views of made-up cars, as the silo writes them: ~25 signals with values that differ per car.</summary>
    private static Message<string, byte[]>[] MakeTwins()
    {
        var random = new Random(7);
        var records = new Message<string, byte[]>[Cars];
        var now = DateTimeOffset.UtcNow;
        for (var car = 0; car < Cars; car++)
        {
            var vin = string.Create(CultureInfo.InvariantCulture, $"WDD2030461B{car:D6}");
            var ts = now.ToUnixTimeMilliseconds() - random.Next(0, 1000);
            var signals = new Dictionary<string, SignalReading>
            {
                [SignalCatalogue.Speed] = new(SignalValue.FromNumber(Math.Round(random.NextDouble() * 130, 1)), ts),
                [SignalCatalogue.Latitude] = new(SignalValue.FromNumber(48 + random.NextDouble() * 6), ts),
                [SignalCatalogue.Longitude] = new(SignalValue.FromNumber(6 + random.NextDouble() * 9), ts),
                ["Vehicle.CurrentLocation.Heading"] = new(SignalValue.FromNumber(Math.Round(random.NextDouble() * 360, 1)), ts),
                ["Vehicle.TraveledDistance"] = new(SignalValue.FromNumber(Math.Round(random.NextDouble() * 200_000, 1)), ts),
                ["Vehicle.Acceleration.Longitudinal"] = new(SignalValue.FromNumber(Math.Round((random.NextDouble() - 0.5) * 4, 2)), ts),
                ["Vehicle.Acceleration.Lateral"] = new(SignalValue.FromNumber(Math.Round((random.NextDouble() - 0.5) * 3, 2)), ts),
                ["Vehicle.Acceleration.Vertical"] = new(SignalValue.FromNumber(Math.Round((random.NextDouble() - 0.5) * 1, 2)), ts),
                ["Vehicle.Powertrain.TractionBattery.StateOfCharge.Current"] = new(SignalValue.FromNumber(Math.Round(random.NextDouble() * 100, 1)), ts - 200),
                ["Vehicle.Powertrain.TractionBattery.Charging.IsCharging"] = new(SignalValue.FromBoolean(false), ts - 5000),
                ["Vehicle.Powertrain.TractionBattery.Charging.IsChargingCableConnected"] = new(SignalValue.FromBoolean(false), ts - 5000),
                ["Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit"] = new(SignalValue.FromNumber(80), ts - 60_000),
                ["Vehicle.Powertrain.TractionBattery.NetCapacity"] = new(SignalValue.FromNumber(77), ts - 60_000),
                ["Vehicle.Exterior.AirTemperature"] = new(SignalValue.FromNumber(Math.Round(random.NextDouble() * 30 - 5, 1)), ts - 1000),
                ["Vehicle.Cabin.HVAC.AmbientAirTemperature"] = new(SignalValue.FromNumber(Math.Round(random.NextDouble() * 10 + 15, 1)), ts - 1000),
                ["Vehicle.LowVoltageSystemState"] = new(SignalValue.FromText("ON"), ts - 30_000),
                ["Vehicle.Body.Lights.Hazard.IsSignaling"] = new(SignalValue.FromBoolean(false), ts - 30_000),
                ["Vehicle.Cabin.Seat.Row1.Pos1.IsOccupied"] = new(SignalValue.FromBoolean(true), ts - 30_000),
                ["Vehicle.Cabin.Seat.Row1.Pos2.IsOccupied"] = new(SignalValue.FromBoolean(random.Next(2) == 0), ts - 30_000),
                ["Vehicle.Cabin.Seat.Row1.Pos1.Airbag.IsDeployed"] = new(SignalValue.FromBoolean(false), ts - 30_000),
                ["Vehicle.Cabin.Seat.Row1.Pos2.Airbag.IsDeployed"] = new(SignalValue.FromBoolean(false), ts - 30_000),
                ["Vehicle.ADAS.LaneDepartureDetection.IsWarning"] = new(SignalValue.FromBoolean(false), ts),
                ["Vehicle.ADAS.ObstacleDetection.IsWarning"] = new(SignalValue.FromBoolean(false), ts),
                ["Vehicle.ADAS.EBA.IsEngaged"] = new(SignalValue.FromBoolean(false), ts),
                ["Vehicle.ADAS.ABS.IsEngaged"] = new(SignalValue.FromBoolean(false), ts),
            };
            var twin = new TwinSnapshot
            {
                Vin = vin,
                Online = true,
                LastSeenAt = DateTimeOffset.FromUnixTimeMilliseconds(ts),
                Version = random.Next(1, 1_000_000),
                Signals = signals,
            };
            records[car] = new Message<string, byte[]> { Key = vin, Value = ViewJson.Serialize(TwinDto.From(twin)) };
        }

        return records;
    }
}
