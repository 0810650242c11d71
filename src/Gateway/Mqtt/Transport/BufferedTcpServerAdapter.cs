using System.Net;
using System.Net.Sockets;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;
using MQTTnet.Server;

namespace DigitalTwin.Gateway.Mqtt.Transport;

/// <summary>
/// The broker's TCP listener: MQTTnet's own, except that each connection reads through a <see cref="ReadBufferedStream"/>.
/// Profiling the ingest path showed about three receive system calls per PUBLISH with MQTTnet's plain socket stream; a
/// car's packets that arrive together now cost one between them. Plain TCP only: the embedded broker has no TLS
/// endpoint; TLS is terminated in front of it (docs/operations.md).
/// </summary>
public sealed class BufferedTcpServerAdapter : IMqttServerAdapter
{
    private CancellationTokenSource? _stopping;
    private Socket? _listener;

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
        _ = AcceptAsync(_listener, options, logger, _stopping.Token);
        return Task.CompletedTask;
    }

    public Task StopAsync()
    {
        _stopping?.Cancel();
        _listener?.Dispose();
        _listener = null;
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        StopAsync();
        _stopping?.Dispose();
    }

    private static Socket Listen(MqttServerTcpEndpointOptions endpoint)
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

    private async Task AcceptAsync(Socket listener, MqttServerOptions options, IMqttNetLogger logger, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException || stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                // A connection that was reset before it was accepted; the listener itself is fine.
                continue;
            }

            _ = Task.Run(() => ServeAsync(client, options, logger), CancellationToken.None);
        }
    }

    private async Task ServeAsync(Socket client, MqttServerOptions options, IMqttNetLogger logger)
    {
        var endpoint = options.DefaultEndpointOptions;
        await using var stream = new ReadBufferedStream(new NetworkStream(client, ownsSocket: true));
        try
        {
            client.NoDelay = endpoint.NoDelay;
            if (ClientHandler is not { } handler)
            {
                return;
            }

            var channel = new MqttTcpChannel(stream, client.LocalEndPoint, client.RemoteEndPoint, null);
            var formatter = new MqttPacketFormatterAdapter(new MqttBufferWriter(options.WriterBufferSize, options.WriterBufferSizeMax));
            using var adapter = new MqttChannelAdapter(channel, formatter, logger);
            adapter.AllowPacketFragmentation = endpoint.AllowPacketFragmentation;
            await handler(adapter).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The car went away; MQTTnet has already reported the session's end.
        }
    }
}
