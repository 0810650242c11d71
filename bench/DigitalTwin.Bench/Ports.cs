using System.Net;
using System.Net.Sockets;

namespace DigitalTwin.Bench;

public static class Ports
{
    /// <summary>A loopback port nobody listens on right now (the OS picks it).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

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
