using System.Runtime.InteropServices;

namespace DigitalTwin.Simulator;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var options = SimulatorOptions.Parse(args, Environment.GetEnvironmentVariable("Auth__SigningKey"), out var error);
        if (options is null)
        {
            Console.Error.WriteLine($"simulator: {error}");
            return 2;
        }

        if (options.ShowHelp)
        {
            SimulatorOptions.WriteHelp(Console.Out);
            return 0;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // The first Ctrl-C takes the fleet offline cleanly; a second one kills the process.
            e.Cancel = !cancel.IsCancellationRequested;
            cancel.Cancel();
        };

        // `kill` and container stops deserve the same clean shutdown as Ctrl-C.
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            cancel.Cancel();
        });

        return await new FleetRunner(options, Console.Out).RunAsync(cancel.Token);
    }
}
