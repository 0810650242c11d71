using DigitalTwin.Gateway.Mqtt;
using DigitalTwin.Persistence;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Silo;

/// <summary>Logs the one line an operator needs: where MQTT, HTTP and the silo listen.</summary>
internal sealed partial class StartupBanner(
    IHostApplicationLifetime lifetime,
    IServer server,
    EmbeddedMqttBroker broker,
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
            LogListening(logger, broker.Listeners, broker.Capacity?.MaxConnections ?? 0, string.Join(", ", urls), silo.Value.Clustering, silo.Value.SiloPort, silo.Value.GatewayPort, storage, environment.EnvironmentName);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information,
        Message = "DigitalTwin silo ready: MQTT (embedded) on {MqttListeners} for up to {MaxConnections} cars, HTTP on {Urls}, Orleans {Clustering} clustering on silo port {SiloPort} and gateway port {GatewayPort}, storage {Storage}, environment {Environment}")]
    private static partial void LogListening(ILogger logger, string mqttListeners, int maxConnections, string urls, string clustering, int siloPort, int gatewayPort, string storage, string environment);
}
