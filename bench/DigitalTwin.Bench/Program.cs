using System.Runtime.InteropServices;

namespace DigitalTwin.Bench;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var options = BenchOptions.Parse(args, Console.Error);
        if (options is null)
        {
            return 2;
        }

        Janitor.Hook();
        using var cancel = new CancellationTokenSource();

        // First Ctrl-C or SIGTERM: stop the scenarios and clean up through the normal path. A second one ends the
        // process at once, and the Janitor still stops Mosquitto and PostgreSQL from ProcessExit.
        void Interrupt(PosixSignalContext context)
        {
            if (!cancel.IsCancellationRequested)
            {
                context.Cancel = true;
                Console.Error.WriteLine($"bench: {context.Signal}, cleaning up (send it again to force)");
                cancel.Cancel();
                return;
            }

            // The runtime's default for the second signal ends the process without raising ProcessExit (seen
            // with SIGTERM), so stop the external servers here, before letting it.
            Janitor.RunAll();
        }

        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);

        try
        {
            if (options.GeneratorSpec is { } spec)
            {
                return await Outside.GeneratorChild.RunAsync(Outside.GeneratorSpec.FromJson(spec), Console.Out, cancel.Token);
            }

            if (options.ServeBare)
            {
                return await Outside.BareServerChild.RunAsync(Console.Out, cancel.Token);
            }

            if (options.MemoryChildTwins is { } twins)
            {
                return await MemoryProbe.RunAsync(twins, options.MemoryChildHistory, Console.Out, cancel.Token);
            }

            var command = "dotnet run -c Release --project bench/DigitalTwin.Bench -- " + string.Join(' ', args);
            if (options.Outside)
            {
                return await new Outside.OutsideBench(options, command.TrimEnd(), Console.Out).RunAsync(cancel.Token);
            }

            if (options.History)
            {
                return await new HistoryBench(options, command.TrimEnd(), Console.Out).RunAsync(cancel.Token);
            }

            if (options.Road)
            {
                return await new RoadBench(options, command.TrimEnd(), Console.Out).RunAsync(cancel.Token);
            }

            if (options.Kafka)
            {
                return await new KafkaBench(options, command.TrimEnd(), Console.Out).RunAsync(cancel.Token);
            }

            if (options.External)
            {
                return await new ExternalBench(options, command.TrimEnd(), Console.Out).RunAsync(cancel.Token);
            }

            if (options.Storm)
            {
                return await new StormBench(options, command.TrimEnd(), Console.Out).RunAsync(cancel.Token);
            }

            return await new BenchRunner(options, command.TrimEnd(), Console.Out).RunAsync(cancel.Token);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            Console.Error.WriteLine("bench: interrupted");
            return 130;
        }
        finally
        {
            Janitor.RunAll();
        }
    }
}
