using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace DigitalTwin.Testing;

/// <summary>
/// Ports for the listeners a test starts (a silo's HTTP, MQTT and Orleans ports, a broker's). Not from the kernel's
/// ephemeral range (32768-60999 on Linux): a port the kernel handed out there, free when asked, could be taken by any
/// outgoing connection of a test running beside it before the listener binds it, and a silo then died with "address
/// already in use". Below that range only listeners take ports, so a free one stays free; each port goes out once per
/// process, and one that is bound on any address is skipped.
/// </summary>
public static class TestPorts
{
    private const int First = 20_000;
    private const int End = 32_000;
    private static readonly ConcurrentDictionary<int, bool> HandedOut = new();

    public static int Free()
    {
        for (var attempt = 0; attempt < 1_000; attempt++)
        {
            var port = Random.Shared.Next(First, End);
            if (HandedOut.TryAdd(port, true) && IsFree(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"No free port between {First} and {End} after 1,000 tries");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Any, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
