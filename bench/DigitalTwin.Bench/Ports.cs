using System.Net;
using System.Net.Sockets;
using DigitalTwin.Testing;

namespace DigitalTwin.Bench;

public static class Ports
{
    /// <summary>A port nobody listens on, outside the kernel's ephemeral range (see <see cref="TestPorts"/>).</summary>
    public static int Free() => TestPorts.Free();

    /// <summary>Polls until something accepts TCP connections on the port, or the deadline passes.</summary>
    public static async Task<bool> WaitListeningAsync(int port, TimeSpan timeout, CancellationToken cancel)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(IPAddress.Loopback, port, cancel);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(20, cancel);
            }
        }

        return false;
    }
}
