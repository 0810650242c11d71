using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace DigitalTwin.Persistence.Tests.Support;

/// <summary>
/// Sits between the code under test and PostgreSQL so a test can take the database away and give it back, the same
/// way for a throwaway cluster and for a user's own server: <see cref="Cut"/> closes every open connection and refuses
/// new ones until <see cref="Restore"/>.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly EndPoint _target;
    private readonly ConcurrentDictionary<Socket, byte> _open = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _acceptLoop;
    private volatile bool _cut;

    private TcpProxy(EndPoint target)
    {
        _target = target;
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Proxies to the server of <paramref name="connectionString"/>, whether it listens on TCP or a unix socket.</summary>
    public static TcpProxy To(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        var host = builder.Host ?? "localhost";
        EndPoint target = host.StartsWith('/')
            ? new UnixDomainSocketEndPoint(Path.Combine(host, $".s.PGSQL.{builder.Port}"))
            : new DnsEndPoint(host, builder.Port);
        return new TcpProxy(target);
    }

    /// <summary>The same connection string, routed through this proxy.</summary>
    public string Route(string connectionString) =>
        new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Host = IPAddress.Loopback.ToString(), Port = Port }.ConnectionString;

    public void Cut()
    {
        _cut = true;
        foreach (var socket in _open.Keys)
        {
            Close(socket);
        }
    }

    public void Restore() => _cut = false;

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        Cut();
        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            if (_cut)
            {
                Close(client);
                continue;
            }

            _ = LinkAsync(client);
        }
    }

    private async Task LinkAsync(Socket client)
    {
        var server = _target is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        _open[client] = 0;
        _open[server] = 0;
        try
        {
            await server.ConnectAsync(_target, _stopping.Token);
            await using var clientStream = new NetworkStream(client, ownsSocket: false);
            await using var serverStream = new NetworkStream(server, ownsSocket: false);
            // Whichever side ends first ends the link.
            await Task.WhenAny(
                clientStream.CopyToAsync(serverStream, _stopping.Token),
                serverStream.CopyToAsync(clientStream, _stopping.Token));
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            Close(client);
            Close(server);
        }
    }

    private void Close(Socket socket)
    {
        _open.TryRemove(socket, out _);
        try
        {
            socket.Close(0);
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
