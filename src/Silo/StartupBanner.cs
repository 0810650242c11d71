using DigitalTwin.Gateway.Mqtt;
using DigitalTwin.Gateway.Mqtt.External;
using DigitalTwin.Persistence;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Silo;

/// <summary>Logs the one line an operator needs: where MQTT, HTTP and the silo listen.</summary>
internal sealed partial class StartupBanner(
    IHostApplicationLifetime lifetime,
    IServer server,
    IServiceProvider services,
    IOptions<SiloOptions> silo,
    IHostEnvironment environment,
    IConfiguration configuration,
    ILogger<StartupBanner> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var urls = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var storage = configuration.IsPostgresConfigured() ? "PostgreSQL" : "in-memory";
            if (services.GetService<ExternalMqttGateway>() is { } external)
            {
                LogExternal(logger, external.Broker, external.ClientId, string.Join(", ", urls), silo.Value.Clustering, silo.Value.SiloPort, silo.Value.GatewayPort, storage, environment.EnvironmentName);
                return;
            }

            var broker = services.GetRequiredService<EmbeddedMqttBroker>();
            LogListening(logger, broker.Listeners, broker.Capacity?.MaxConnections ?? 0, string.Join(", ", urls), silo.Value.Clustering, silo.Value.SiloPort, silo.Value.GatewayPort, storage, environment.EnvironmentName);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information,
        Message = "DigitalTwin silo ready: MQTT (embedded) on {MqttListeners} for up to {MaxConnections} cars, HTTP on {Urls}, Orleans {Clustering} clustering on silo port {SiloPort} and gateway port {GatewayPort}, storage {Storage}, environment {Environment}")]
    private static partial void LogListening(ILogger logger, string mqttListeners, int maxConnections, string urls, string clustering, int siloPort, int gatewayPort, string storage, string environment);

    // "ready" means the host started; the broker connection comes up on its own and /readyz says when it has.
    [LoggerMessage(Level = LogLevel.Information,
        Message = "DigitalTwin silo ready: MQTT (external) through the broker {Broker} as client {ClientId}, HTTP on {Urls}, Orleans {Clustering} clustering on silo port {SiloPort} and gateway port {GatewayPort}, storage {Storage}, environment {Environment}")]
    private static partial void LogExternal(ILogger logger, string broker, string clientId, string urls, string clustering, int siloPort, int gatewayPort, string storage, string environment);
}
