using System.Diagnostics;
using System.Security.Cryptography;
using DigitalTwin.Grains.Abstractions.Telemetry;
using DigitalTwin.Grains.Abstractions.Vehicles;
using Microsoft.Extensions.DependencyInjection;
using DigitalTwin.Contract.Telemetry;

namespace DigitalTwin.Bench;

/// <summary>
/// Runs in a child process of its own, so that its resident-set figures are not blurred by the throughput
/// runs: starts a silo, activates K twins with 20 signals each by direct grain calls (the compact synthetic
/// load: no MQTT connection per twin), waits until they are idle, and prints one result line.
/// </summary>
public static class MemoryProbe
{
    public const string ResultPrefix = "MEMORY-RESULT ";
    public const int SignalsPerTwin = 20;

    private const int WarmupTwins = 500;
    private const int Concurrency = 256;

    // An idle twin has handed its snapshot to the write-behind store and dropped its flush timer: that takes at most
    // two ticks of Persistence:FlushInterval (a twin changed once stages at once and never has one), and nothing
    // signals it, so the probe waits three. A short interval only brings that moment forward: the idle twin holds the
    // same objects as with the default of 1 s.
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan IdleAfter = 3 * FlushInterval;

    // One document shared by every twin: known signal names are interned by the real parser too, and the
    // message is immutable, so sharing it costs the twins nothing they would not pay in production.
    private static readonly SignalSample[] Signals =
    [
        new("Vehicle.Speed", SignalValue.FromNumber(87.5)),
        new("Vehicle.TraveledDistance", SignalValue.FromNumber(12345.678)),
        new("Vehicle.CurrentLocation.Latitude", SignalValue.FromNumber(52.52)),
        new("Vehicle.CurrentLocation.Longitude", SignalValue.FromNumber(13.405)),
        new("Vehicle.CurrentLocation.Heading", SignalValue.FromNumber(270.5)),
        new("Vehicle.Acceleration.Longitudinal", SignalValue.FromNumber(-0.4)),
        new("Vehicle.Acceleration.Lateral", SignalValue.FromNumber(0.1)),
        new("Vehicle.Acceleration.Vertical", SignalValue.FromNumber(0.02)),
        new("Vehicle.ADAS.LaneDepartureDetection.IsWarning", SignalValue.FromBoolean(false)),
        new("Vehicle.ADAS.ObstacleDetection.IsWarning", SignalValue.FromBoolean(false)),
        new("Vehicle.ADAS.EBA.IsEngaged", SignalValue.FromBoolean(false)),
        new("Vehicle.ADAS.ABS.IsEngaged", SignalValue.FromBoolean(false)),
        new("Vehicle.Powertrain.TractionBattery.StateOfCharge.Current", SignalValue.FromNumber(76.5)),
        new("Vehicle.Powertrain.TractionBattery.Charging.IsCharging", SignalValue.FromBoolean(false)),
        new("Vehicle.Powertrain.TractionBattery.Charging.IsChargingCableConnected", SignalValue.FromBoolean(false)),
        new("Vehicle.Powertrain.TractionBattery.Charging.ChargeLimit", SignalValue.FromNumber(80)),
        new("Vehicle.Powertrain.FuelSystem.InstantConsumption", SignalValue.FromNumber(0)),
        new("Vehicle.Exterior.AirTemperature", SignalValue.FromNumber(11.5)),
        new("Vehicle.Cabin.HVAC.AmbientAirTemperature", SignalValue.FromNumber(21)),
        new("Vehicle.Cabin.Seat.Row1.Pos1.IsOccupied", SignalValue.FromBoolean(true)),
    ];

    public static async Task<int> RunAsync(int twins, int historyPerSignal, TextWriter output, CancellationToken cancel)
    {
        var key = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        await using var app = BenchSilo.Build(
            key,
            Ports.Free(),
            $"--Persistence:InMemoryHistoryPerSignal={historyPerSignal}",
            $"--Persistence:FlushInterval={FlushInterval:c}");
        await app.StartAsync(cancel);
        var grains = app.Services.GetRequiredService<IGrainFactory>();

        // Warm the JIT, Orleans' caches and the thread pool first, so the baseline already includes them.
        await ActivateAsync(grains, "WWARMP", WarmupTwins, cancel);
        await Task.Delay(IdleAfter, cancel);
        var (workingSetBefore, heapBefore) = Measure();

        var clock = Stopwatch.StartNew();
        await ActivateAsync(grains, "WMEMTW", twins, cancel);
        var seconds = clock.Elapsed.TotalSeconds;

        await Task.Delay(IdleAfter, cancel);
        var (workingSetAfter, heapAfter) = Measure();

        var result = new MemoryResult(
            twins,
            historyPerSignal,
            SignalsPerTwin,
            workingSetBefore,
            workingSetAfter,
            heapBefore,
            heapAfter,
            Math.Round((double)(workingSetAfter - workingSetBefore) / twins, 1),
            Math.Round((double)(heapAfter - heapBefore) / twins, 1),
            Math.Round(twins / seconds, 0));
        output.WriteLine(ResultPrefix + ReportWriter.Compact(result));
        await app.StopAsync(cancel);
        return 0;
    }

    private static Task ActivateAsync(IGrainFactory grains, string prefix, int count, CancellationToken cancel)
    {
        var message = new TelemetryMessage(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 1, Signals, DateTimeOffset.UtcNow);
        return Parallel.ForEachAsync(
            Enumerable.Range(1, count),
            new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancel },
            async (number, _) =>
            {
                var applied = await grains.GetVehicle<IVehicleIngest>(Fleet.VinOf(prefix, number)).ApplyTelemetry(message);
                if (applied.Outcome != ApplyOutcome.Applied || applied.SignalsDropped != 0)
                {
                    throw new InvalidOperationException($"twin {number} did not take its 20 signals: {applied}");
                }
            });
    }

    private static (long WorkingSet, long GcHeap) Measure()
    {
        // Twice: the first collection may only queue finalizers whose objects the second one frees.
        for (var i = 0; i < 2; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        using var self = Process.GetCurrentProcess();
        self.Refresh();
        return (self.WorkingSet64, GC.GetTotalMemory(forceFullCollection: false));
    }
}
