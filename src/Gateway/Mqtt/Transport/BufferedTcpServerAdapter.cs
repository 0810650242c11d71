using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using DigitalTwin.Gateway.Mqtt.Connections;
using DigitalTwin.Gateway.Mqtt.Tls;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;
using MQTTnet.Server;

namespace DigitalTwin.Gateway.Mqtt.Transport;

/// <summary>
/// The broker's TCP listener. Two reasons to have our own rather than MQTTnet's (or Kestrel's, whose accept loop also
/// retries at once on every socket error):
/// <list type="bullet">
/// <item>Each connection reads through a <see cref="ReadBufferedStream"/>: MQTTnet's plain socket stream costs about three
/// receive system calls per PUBLISH, a car's packets that arrive together now cost one between them.</item>
/// <item>It never runs the process out of descriptors: it takes a slot from <see cref="ConnectionGuard"/> before each
/// accept (so it pauses, and the kernel's backlog holds newcomers, while the budget is used up), and a failing accept
/// backs off instead of spinning (<see cref="AcceptBackoff"/>). A .NET process with a full descriptor table dies the next
/// time the runtime starts a thread.</item>
/// <item>MQTT over TLS (<see cref="TlsMaterial"/>): a certificate renewed on disk is served without a restart, and car
/// certificates are judged against the fleet's own CA bundle and CRL.</item>
/// </list>
/// Without <paramref name="listeners"/> it listens where MQTTnet's default endpoint options say, plain. The server's
/// <c>ValidatingConnectionAsync</c> must call <see cref="ConnectionGuard.Connecting"/> (and
/// <see cref="ConnectionGuard.Authenticated"/>): that is how the guard learns a CONNECT arrived, and a socket whose
/// CONNECT is never reported is closed at the connect timeout.
/// </summary>
public sealed class BufferedTcpServerAdapter(ConnectionGuard guard, TimeProvider clock, IReadOnlyList<MqttListener>? listeners = null) : IMqttServerAdapter
{
    private readonly List<(Socket Socket, MqttListener Listener)> _sockets = [];
    private readonly List<Task> _accepting = [];
    private CancellationTokenSource? _stopping;

    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    /// <summary>The port each listener is bound to, in the order given (useful with port 0).</summary>
    public IReadOnlyList<int> BoundPorts => _sockets.Select(s => ((IPEndPoint)s.Socket.LocalEndPoint!).Port).ToArray();

    public Task StartAsync(MqttServerOptions options, IMqttNetLogger logger)
    {
        var endpoint = options.DefaultEndpointOptions;
        var wanted = listeners ?? (endpoint.IsEnabled ? [new MqttListener(endpoint.BoundInterNetworkAddress, endpoint.Port, null)] : []);
        _stopping = new CancellationTokenSource();
        foreach (var listener in wanted)
        {
            var socket = Listen(listener, endpoint);
            _sockets.Add((socket, listener));
            _accepting.Add(RunAcceptLoopAsync(
                socket.AcceptAsync,
                client => _ = Task.Run(() => ServeAsync(client, listener, options, logger), CancellationToken.None),
                guard,
                clock,
                _stopping.Token));
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync()
    {
        _stopping?.Cancel();
        foreach (var (socket, _) in _sockets)
        {
            socket.Dispose();
        }

        await Task.WhenAll(_accepting).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _stopping?.Cancel();
        foreach (var (socket, _) in _sockets)
        {
            socket.Dispose();
        }

        _stopping?.Dispose();
    }

    /// <summary>
    /// Accepts until <paramref name="stopping"/> fires: a slot first, then the socket. A failed accept gives its slot back
    /// and waits as long as <see cref="ConnectionGuard.AcceptFailed"/> says (on <paramref name="clock"/>). Nothing thrown
    /// here ends the loop but stopping.
    /// </summary>
    internal static async Task RunAcceptLoopAsync(
        Func<CancellationToken, ValueTask<Socket>> accept,
        Action<Socket> serve,
        ConnectionGuard guard,
        TimeProvider clock,
        CancellationToken stopping)
    {
        var consecutiveFailures = 0;
        while (!stopping.IsCancellationRequested)
        {
            if (!await guard.WaitForSocketSlotAsync(stopping).ConfigureAwait(false))
            {
                return;
            }

            Socket client;
            try
            {
                client = await accept(stopping).ConfigureAwait(false);
                consecutiveFailures = 0;
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException || stopping.IsCancellationRequested)
            {
                guard.ReleaseSocketSlot();
                return;
            }
            catch (Exception ex)
            {
                // Out of descriptors (EMFILE), out of kernel memory, a connection reset in the backlog, or anything else:
                // the listener stays, the loop waits if waiting helps, and goes on.
                guard.ReleaseSocketSlot();
                var delay = guard.AcceptFailed(ex, ++consecutiveFailures);
                if (delay > TimeSpan.Zero)
                {
                    try
                    {
                        await Task.Delay(delay, clock, stopping).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }

                continue;
            }

            serve(client);
        }
    }

    private static Socket Listen(MqttListener listener, MqttServerTcpEndpointOptions endpoint)
    {
        // MQTTnet's default endpoint binds every IPv4 and IPv6 address; one dual-mode socket does the same.
        var address = listener.Address;
        Socket socket;
        if (address.Equals(IPAddress.Any) && Socket.OSSupportsIPv6)
        {
            socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
            address = IPAddress.IPv6Any;
        }
        else
        {
            socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        }

        try
        {
            if (endpoint.ReuseAddress)
            {
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            }

            socket.Bind(new IPEndPoint(address, listener.Port));
            socket.Listen(endpoint.ConnectionBacklog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task ServeAsync(Socket client, MqttListener listener, MqttServerOptions options, IMqttNetLogger logger)
    {
        var ticket = guard.Accepted(client);
        if (ticket is null)
        {
            return;
        }

        MqttChannelAdapter? adapter = null;
        Stream? stream = null;
        try
        {
            var endpoint = options.DefaultEndpointOptions;
            client.NoDelay = endpoint.NoDelay;
            var network = new NetworkStream(client, ownsSocket: true);
            X509Certificate2? carCertificate = null;
            if (listener.Tls is { } tls)
            {
                // SslStream reads whole TLS records and serves MQTTnet's small reads from them: no extra buffer needed.
                var ssl = new SslStream(network, leaveInnerStreamOpen: false);
                stream = ssl;
                var handshake = new TlsHandshake();
                try
                {
                    // No token: the connect timeout closes the socket under a handshake that never finishes.
                    await ssl.AuthenticateAsServerAsync(tls.ServerOptions(handshake), CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is AuthenticationException or IOException or ObjectDisposedException or SocketException)
                {
                    guard.HandshakeFailed(ticket, handshake.Refusal, ex);
                    return;
                }

                carCertificate = ssl.RemoteCertificate as X509Certificate2;
            }
            else
            {
                stream = new ReadBufferedStream(network);
            }

            if (ClientHandler is not { } handler)
            {
                return;
            }

            var channel = new MqttTcpChannel(stream, client.LocalEndPoint, client.RemoteEndPoint, carCertificate);
            var formatter = new MqttPacketFormatterAdapter(new MqttBufferWriter(options.WriterBufferSize, options.WriterBufferSizeMax));
            adapter = new MqttChannelAdapter(channel, formatter, logger) { AllowPacketFragmentation = endpoint.AllowPacketFragmentation };
            guard.Bind(ticket, adapter);
            await handler(adapter).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The car went away, or the guard closed a socket that never sent CONNECT; MQTTnet has already reported the
            // session's end.
        }
        finally
        {
            adapter?.Dispose();
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            client.Dispose();
            guard.Closed(ticket, adapter);
        }
    }
}

/// <summary>One listening socket of the broker: where, and with what TLS (null = plain MQTT).</summary>
public sealed record MqttListener(IPAddress Address, int Port, TlsMaterial? Tls);
