using System.Net;
using System.Net.Sockets;

namespace DigitalTwin.Gateway.Mqtt.Connections;

/// <summary>
/// One accepted socket, from accept to close: whether its CONNECT has arrived, whether it holds one of the
/// <c>MaxConnections</c> sessions and for which client id. <see cref="ConnectionGuard"/> hands it out and takes it back.
/// </summary>
public sealed class ConnectionTicket
{
    private int _connectReceived;
    private int _closed;

    internal ConnectionTicket(Socket socket, IPAddress? address)
    {
        Socket = socket;
        Address = address;
    }

    public Socket Socket { get; }

    public IPAddress? Address { get; }

    public bool ConnectReceived => Volatile.Read(ref _connectReceived) == 1;

    /// <summary>Set while the connection holds a session slot: the client id it authenticated as.</summary>
    public string? SessionClientId { get; internal set; }

    internal bool HoldsSession { get; set; }

    /// <summary>The connect timeout closed it.</summary>
    internal bool TimedOut { get; set; }

    internal ITimer? ConnectTimer { get; set; }

    /// <summary>True the first time only.</summary>
    internal bool MarkConnectReceived() => Interlocked.Exchange(ref _connectReceived, 1) == 0;

    /// <summary>True the first time only.</summary>
    internal bool MarkClosed() => Interlocked.Exchange(ref _closed, 1) == 0;

    /// <summary>Closes the socket under whatever is reading it; the connection then ends the ordinary way.</summary>
    internal void Abort()
    {
        try
        {
            Socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closing.
        }

        Socket.Dispose();
    }
}
