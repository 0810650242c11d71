using System.Globalization;

namespace DigitalTwin.Bench.Outside;

/// <summary>
/// The stock MQTTnet server that intercepts and drops (<see cref="BareMqttTarget"/>) as a process of its own
/// (<c>--serve-bare</c>): prints its port, then how many publishes it took in, ten times a second, until its input closes.
/// </summary>
public static class BareServerChild
{
    public const string PortPrefix = "bare: port ";
    public const string ReceivedPrefix = "bare: received ";

    public static async Task<int> RunAsync(TextWriter output, CancellationToken cancel)
    {
        await using var server = new BareMqttTarget();
        await server.StartAsync(cancel);
        output.WriteLine(PortPrefix + server.Port.ToString(CultureInfo.InvariantCulture));
        output.Flush();

        // The parent closes our input (or dies): that is the stop signal.
        var parentGone = Task.Run(() => Console.In.ReadToEnd(), CancellationToken.None);
        while (!parentGone.IsCompleted && !cancel.IsCancellationRequested)
        {
            output.WriteLine(ReceivedPrefix + server.Received.ToString(CultureInfo.InvariantCulture));
            output.Flush();
            await Task.WhenAny(parentGone, Task.Delay(100, cancel));
        }

        return 0;
    }
}
