using System.Diagnostics.Metrics;
using System.Net;
using DigitalTwin.Gateway.Diagnostics;
using DigitalTwin.Gateway.Mqtt;
using DigitalTwin.Gateway.Mqtt.Connections;
using DigitalTwin.Gateway.Mqtt.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MQTTnet.Server;

namespace DigitalTwin.Bench;

/// <summary>
/// The transport's limit: the same MQTTnet server the silo embeds, whose interceptor only counts and drops (no
/// parsing, no grain). Nothing that DigitalTwin adds on top of MQTT is here. Stock, it is the baseline; with
/// <paramref name="bufferedReads"/> it reads through the silo's own listener (<see cref="BufferedTcpServerAdapter"/>),
/// which shows how much of a ratio above the stock baseline comes from the transport alone.
/// </summary>
public sealed class BareMqttTarget(bool bufferedReads = false) : IBenchTarget
{
    private MqttServer? _server;
    private ServiceProvider? _metrics;
    private ConnectionGuard? _guard;
    private long _received;

    public string Name => bufferedReads ? "mqttnet-bare-buffered" : "mqttnet-bare";

    public string Description => bufferedReads
        ? "publishes intercepted and dropped by a bare MQTTnet server reading through the silo's buffered listener"
        : "publishes intercepted and dropped by a bare MQTTnet server";

    public int Port { get; private set; }

    public long Received => Interlocked.Read(ref _received);

    public Action<int>? ProcessedListener { get; set; }

    public async Task StartAsync(CancellationToken cancel)
    {
        Port = Ports.Free();
        var options = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointPort(Port)
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .Build();
        if (bufferedReads)
        {
            // The listener's socket budget as the silo sizes it; no per-address rate or flapping: the fleet is one address.
            _metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
            _guard = new ConnectionGuard(
                Options.Create(new MqttOptions { ConnectRate = { PerAddress = 0 }, Flapping = { Enabled = false } }),
                TimeProvider.System,
                new GatewayMetrics(_metrics.GetRequiredService<IMeterFactory>()),
                NullLogger<ConnectionGuard>.Instance);
            _guard.Start();
        }

        _server = _guard is not null
            ? new MqttServerFactory().CreateMqttServer(options, [new BufferedTcpServerAdapter(_guard, TimeProvider.System)])
            : new MqttServerFactory().CreateMqttServer(options);
        if (_guard is { } guard)
        {
            // As in the silo: the CONNECT stops the guard's connect timeout and takes a session slot.
            _server.ValidatingConnectionAsync += e =>
            {
                if (guard.Connecting(e.ChannelAdapter, e.ClientId) is { } refusal)
                {
                    e.ReasonCode = refusal.Code;
                }
                else
                {
                    guard.Authenticated(e.ChannelAdapter, e.ClientId, accepted: true);
                }

                return Task.CompletedTask;
            };
        }

        _server.InterceptingPublishAsync += e =>
        {
            e.ProcessPublish = false;
            Interlocked.Increment(ref _received);
            ProcessedListener?.Invoke(1);
            return Task.CompletedTask;
        };
        await _server.StartAsync();
    }

    public Task<LossCheck?> VerifyAsync(Fleet fleet, CancellationToken cancel) => Task.FromResult<LossCheck?>(null);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.StopAsync();
            _server.Dispose();
            _server = null;
        }

        _guard?.Dispose();
        _metrics?.Dispose();
    }
}
