using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MQTTnet.AspNetCore;
using MQTTnet.Server;

namespace DigitalTwin.Bench;

/// <summary>
/// The alternative to the silo's own buffered listener: the same bare MQTTnet server as <see cref="BareMqttTarget"/>
/// (counts and drops), but accepting TCP through Kestrel with MQTTnet.AspNetCore (<c>UseMqtt()</c> on a Kestrel
/// listener), so each connection reads through Kestrel's socket transport and pipes. A minimal WebApplication with no
/// HTTP endpoint and no logging; the server is built over the <see cref="MqttConnectionHandler"/> directly rather than
/// through <c>AddHostedMqttServer</c>, whose server starts only after the host has, so that it is listening when
/// <see cref="StartAsync"/> returns.
/// </summary>
public sealed class KestrelMqttTarget : IBenchTarget
{
    private WebApplication? _app;
    private MqttServer? _server;
    private long _received;

    public string Name => "mqttnet-bare-kestrel";

    public string Description => "publishes intercepted and dropped by a bare MQTTnet server hosted on Kestrel (MQTTnet.AspNetCore)";

    public int Port { get; private set; }

    public long Received => Interlocked.Read(ref _received);

    public Action<int>? ProcessedListener { get; set; }

    public async Task StartAsync(CancellationToken cancel)
    {
        Port = Ports.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddMqttConnectionHandler();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, Port, l => l.UseMqtt()));
        _app = builder.Build();

        _server = new MqttServerFactory().CreateMqttServer(
            new MqttServerOptionsBuilder().Build(),
            [_app.Services.GetRequiredService<MqttConnectionHandler>()]);
        _server.InterceptingPublishAsync += e =>
        {
            e.ProcessPublish = false;
            Interlocked.Increment(ref _received);
            ProcessedListener?.Invoke(1);
            return Task.CompletedTask;
        };
        await _server.StartAsync();
        await _app.StartAsync(cancel);
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

        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }
}
