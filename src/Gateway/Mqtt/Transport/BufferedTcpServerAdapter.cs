using System.Net;
using System.Net.Sockets;
using DigitalTwin.Gateway.Mqtt.Connections;
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
/// </list>
/// </summary>
public sealed class BufferedTcpServerAdapter(ConnectionGuard guard, TimeProvider clock) : IMqttServerAdapter
{
    private CancellationTokenSource? _stopping;
    private Socket? _listener;
    private Task _accepting = Task.CompletedTask;

    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    public Task StartAsync(MqttServerOptions options, IMqttNetLogger logger)
    {
        var endpoint = options.DefaultEndpointOptions;
        if (!endpoint.IsEnabled)
        {
            return Task.CompletedTask;
        }

        _listener = Listen(endpoint);
        _stopping = new CancellationTokenSource();
        var listener = _listener;
        _accepting = RunAcceptLoopAsync(
            listener.AcceptAsync,
            socket => _ = Task.Run(() => ServeAsync(socket, options, logger), CancellationToken.None),
            guard,
            clock,
            _stopping.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync()
    {
        _stopping?.Cancel();
        _listener?.Dispose();
        _listener = null;
        await _accepting.ConfigureAwait(false);
    }

    public void Dispose()
    {
        _stopping?.Cancel();
        _listener?.Dispose();
        _listener = null;
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

    private Socket Listen(MqttServerTcpEndpointOptions endpoint)
    {
        // MQTTnet's default endpoint binds every IPv4 and IPv6 address; one dual-mode socket does the same.
        var address = endpoint.BoundInterNetworkAddress;
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

            socket.Bind(new IPEndPoint(address, endpoint.Port));
            socket.Listen(endpoint.ConnectionBacklog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task ServeAsync(Socket client, MqttServerOptions options, IMqttNetLogger logger)
    {
        var ticket = guard.Accepted(client);
        if (ticket is null)
        {
            return;
        }

        MqttChannelAdapter? adapter = null;
        try
        {
            var endpoint = options.DefaultEndpointOptions;
            client.NoDelay = endpoint.NoDelay;
            await using var stream = new ReadBufferedStream(new NetworkStream(client, ownsSocket: true));
            if (ClientHandler is not { } handler)
            {
                return;
            }

            var channel = new MqttTcpChannel(stream, client.LocalEndPoint, client.RemoteEndPoint, null);
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
            client.Dispose();
            guard.Closed(ticket, adapter);
        }
    }
}
