using System.Net;
using MQTTnet.Server;

namespace DigitalTwin.Bench;

/// <summary>
/// The transport's limit: the same MQTTnet server the silo embeds, configured like it, whose interceptor only
/// counts and drops (no parsing, no grain). Nothing that DigitalTwin adds on top of MQTT is here.
/// </summary>
public sealed class BareMqttTarget : IBenchTarget
{
    private MqttServer? _server;
    private long _received;

    public string Name => "mqttnet-bare";

    public string Description => "publishes intercepted and dropped by a bare MQTTnet server";

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
        _server = new MqttServerFactory().CreateMqttServer(options);
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
    }
}
