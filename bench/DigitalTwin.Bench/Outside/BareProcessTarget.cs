using System.Diagnostics;
using System.Globalization;

namespace DigitalTwin.Bench.Outside;

/// <summary>The bare MQTTnet server (intercept and drop) in a child process of its own (<see cref="BareServerChild"/>).</summary>
public sealed class BareProcessTarget : IOutsideTarget
{
    private Process? _process;
    private IDisposable? _cleanup;
    private Task? _reading;
    private long _received;
    private readonly TaskCompletionSource<int> _port = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name => "mqttnet-bare";

    public string Description => "publishes intercepted and dropped by a stock MQTTnet 5 server, in a process of its own";

    public int[] Ports => [_portNumber];

    private int _portNumber;

    public async Task StartAsync(CancellationToken cancel)
    {
        _process = Process.Start(BenchChild.StartInfo(["--serve-bare"], redirectInput: true)) ?? throw new InvalidOperationException("could not start the bare MQTTnet server");
        var process = _process;
        _cleanup = Janitor.Register($"bare MQTTnet server (pid {process.Id})", () => Kill(process));
        _reading = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync(CancellationToken.None) is { } line)
            {
                if (line.StartsWith(BareServerChild.PortPrefix, StringComparison.Ordinal))
                {
                    _port.TrySetResult(int.Parse(line.AsSpan(BareServerChild.PortPrefix.Length), CultureInfo.InvariantCulture));
                }
                else if (line.StartsWith(BareServerChild.ReceivedPrefix, StringComparison.Ordinal))
                {
                    Volatile.Write(ref _received, long.Parse(line.AsSpan(BareServerChild.ReceivedPrefix.Length), CultureInfo.InvariantCulture));
                }
            }

            _port.TrySetException(new InvalidOperationException("the bare MQTTnet server exited before it listened: " + await process.StandardError.ReadToEndAsync()));
        }, CancellationToken.None);

        _portNumber = await _port.Task.WaitAsync(TimeSpan.FromSeconds(60), cancel);
    }

    public ValueTask<long> ReceivedAsync(CancellationToken cancel) => ValueTask.FromResult(Volatile.Read(ref _received));

    public Task<LossCheck?> VerifyAsync(GeneratorResult generated, CancellationToken cancel) => Task.FromResult<LossCheck?>(null);

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            Kill(process);
            await process.WaitForExitAsync();
            if (_reading is not null)
            {
                await _reading;
            }

            process.Dispose();
        }

        _cleanup?.Dispose();
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
