using System.Diagnostics;

namespace DigitalTwin.Bench;

/// <summary>
/// Open-loop pacing shared by the latency and crash scenarios: round robin over the cars at a total rate, without
/// waiting for acknowledgements, so a slow target does not slow the offered load.
/// </summary>
public static class OpenLoop
{
    /// <summary>
    /// Runs until <paramref name="stop"/>; a car with <paramref name="maxInFlight"/> publishes unanswered skips its
    /// turn. Returns how many turns were skipped.
    /// </summary>
    public static async Task<long> RunAsync(FleetCar[] cars, double rate, int maxInFlight, Action<FleetCar> publish, CancellationToken stop)
    {
        var skipped = 0L;
        var start = Stopwatch.GetTimestamp();
        var next = 0L;
        while (!stop.IsCancellationRequested)
        {
            var due = (long)((Stopwatch.GetTimestamp() - start) * rate / Stopwatch.Frequency);
            for (; next < due; next++)
            {
                var car = cars[next % cars.Length];
                if (car.InFlight >= maxInFlight)
                {
                    skipped++;
                    continue;
                }

                publish(car);
            }

            // The timer's ~1 ms granularity batches a few messages per tick; between ticks the core is free.
            try
            {
                await Task.Delay(1, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return skipped;
    }
}
