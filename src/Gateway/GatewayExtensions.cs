using DigitalTwin.Gateway.DeadLetters;
using DigitalTwin.Gateway.Diagnostics;
using DigitalTwin.Gateway.Mqtt;
using DigitalTwin.Gateway.Mqtt.Connections;
using DigitalTwin.Gateway.Mqtt.External;
using DigitalTwin.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace DigitalTwin.Gateway;

public static class GatewayExtensions
{
    /// <summary>The tag of the checks <c>/readyz</c> runs (ServiceDefaults).</summary>
    private const string ReadinessTag = "ready";

    /// <summary>
    /// The embedded MQTT broker (or, with <c>Mqtt:Mode=External</c>, the client of the operator's broker) and everything between a car's publish and its grain, with the broker's <c>mqtt</c>
    /// health check (tag <c>ready</c>) and the <see cref="GatewayMetrics.MeterName"/> meter. What leaves the gateway
    /// besides the grain call (accepted documents, dead letters) goes where <c>AddKafka()</c> decides.
    /// </summary>
    public static IHostApplicationBuilder AddMqttGateway(this IHostApplicationBuilder builder)
    {
        builder.AddAuthOptions();
        builder.Services.AddOptions<MqttOptions>()
            .BindConfiguration(MqttOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MqttOptions>, MqttOptionsValidator>());

        builder.Services.TryAddSingleton(TimeProvider.System);
        // The connection guard's clock (CONNECT timeout, connect rate, flapping bans): the process's, unless a test has put
        // a fake one there first.
        builder.Services.TryAddKeyedSingleton(ConnectionGuard.ClockKey, (sp, _) => sp.GetRequiredService<TimeProvider>());
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<GatewayMetrics>();
        builder.Services.AddSingleton<DeadLetterStore>();
        builder.Services.AddSingleton<MqttIngress>();
        builder.Services.AddSingleton(sp =>
        {
            var auth = sp.GetRequiredService<IOptions<AuthOptions>>().Value;
            var mqtt = sp.GetRequiredService<IOptions<MqttOptions>>().Value;
            var validator = string.IsNullOrEmpty(auth.SigningKey)
                ? null
                : new VehicleTokenValidator(auth.SigningKey, auth.Issuer, auth.Audience, sp.GetRequiredService<TimeProvider>());
            return new VehicleConnectionAuthenticator(validator, mqtt.AllowAnonymous);
        });
        if (IsExternal(builder.Configuration[$"{MqttOptions.SectionName}:{nameof(MqttOptions.Mode)}"]))
        {
            // The operator's broker holds the cars' connections: no listener here, one client of that broker instead.
            builder.Services.AddSingleton<ExternalMqttGateway>();
            builder.Services.AddSingleton<ICarPublisher>(sp => sp.GetRequiredService<ExternalMqttGateway>());
            builder.Services.AddHostedService(sp => sp.GetRequiredService<ExternalMqttGateway>());
            builder.Services.AddHealthChecks().AddCheck<ExternalBrokerHealthCheck>("mqtt", tags: [ReadinessTag]);
        }
        else
        {
            builder.Services.AddSingleton<ConnectionGuard>();
            builder.Services.AddSingleton<GatewayIdentity>();
            builder.Services.AddSingleton<EmbeddedMqttBroker>();
            builder.Services.AddSingleton<ICarPublisher>(sp => sp.GetRequiredService<EmbeddedMqttBroker>());
            builder.Services.AddHostedService(sp => sp.GetRequiredService<EmbeddedMqttBroker>());
            builder.Services.AddSingleton<GatewayOutbox>();
            // The broker and the outbox need each other; the broker only asks once a car subscribes.
            builder.Services.AddSingleton(sp => new Lazy<GatewayOutbox>(sp.GetRequiredService<GatewayOutbox>));
            builder.Services.AddHostedService(sp => sp.GetRequiredService<GatewayOutbox>());
            builder.Services.AddHealthChecks().AddCheck<MqttBrokerHealthCheck>("mqtt", tags: [ReadinessTag]);
        }

        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddMeter(GatewayMetrics.MeterName));
        return builder;
    }

    /// <summary>
    /// The mode decides which services exist, so it is read before the options are: an unknown value falls through to
    /// embedded here and is refused by <see cref="MqttOptionsValidator"/> at start.
    /// </summary>
    private static bool IsExternal(string? mode) =>
        Enum.TryParse<MqttMode>(mode, ignoreCase: true, out var parsed) && parsed == MqttMode.External;
}
