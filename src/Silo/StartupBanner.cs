using DigitalTwin.Gateway.Mqtt;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Silo;

/// <summary>Logs the one line an operator needs: where MQTT, HTTP and the silo listen.</summary>
internal sealed partial class StartupBanner(
    IHostApplicationLifetime lifetime,
    IServer server,
    EmbeddedMqttBroker broker,
    IOptions<MqttOptions> mqtt,
    IOptions<SiloOptions> silo,
    IHostEnvironment environment,
    ILogger<StartupBanner> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var urls = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var host = string.IsNullOrEmpty(mqtt.Value.Host) ? "0.0.0.0" : mqtt.Value.Host;
            LogListening(logger, host, broker.Port, string.Join(", ", urls), silo.Value.SiloPort, silo.Value.GatewayPort, environment.EnvironmentName);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information,
        Message = "DigitalTwin silo ready: MQTT (embedded) on {MqttHost}:{MqttPort}, HTTP on {Urls}, Orleans silo port {SiloPort} and gateway port {GatewayPort}, storage in-memory, environment {Environment}")]
    private static partial void LogListening(ILogger logger, string mqttHost, int mqttPort, string urls, int siloPort, int gatewayPort, string environment);
}
