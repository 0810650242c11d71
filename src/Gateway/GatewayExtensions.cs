using DigitalTwin.Gateway.DeadLetters;
using DigitalTwin.Gateway.Diagnostics;
using DigitalTwin.Gateway.Mqtt;
using DigitalTwin.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Gateway;

public static class GatewayExtensions
{
    /// <summary>The embedded MQTT broker and everything between a car's publish and its grain.</summary>
    public static IHostApplicationBuilder AddMqttGateway(this IHostApplicationBuilder builder)
    {
        builder.AddAuthOptions();
        builder.Services.AddOptions<MqttOptions>()
            .BindConfiguration(MqttOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MqttOptions>, MqttOptionsValidator>());

        builder.Services.TryAddSingleton(TimeProvider.System);
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
        builder.Services.AddSingleton<GatewayIdentity>();
        builder.Services.AddSingleton<EmbeddedMqttBroker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EmbeddedMqttBroker>());
        builder.Services.AddSingleton<GatewayOutbox>();
        // The broker and the outbox need each other; the broker only asks once a car subscribes.
        builder.Services.AddSingleton(sp => new Lazy<GatewayOutbox>(sp.GetRequiredService<GatewayOutbox>));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<GatewayOutbox>());
        return builder;
    }
}
