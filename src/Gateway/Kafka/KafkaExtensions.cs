using DigitalTwin.Gateway.DeadLetters;
using DigitalTwin.Gateway.Diagnostics;
using DigitalTwin.Gateway.Kafka.Ingest;
using DigitalTwin.Grains.Abstractions.Vehicles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Gateway.Kafka;

public static class KafkaExtensions
{
    private const string ReadinessTag = "ready";

    /// <summary>
    /// Kafka, chosen once from <c>Kafka:BootstrapServers</c>: when set, the producer, the records of accepted
    /// documents, of dead letters and of the twins' changes (<see cref="KafkaChangeFeed"/>, which replaces the change
    /// feed that does nothing, before or after storage registered it), the <c>kafka</c> readiness check and, unless
    /// <c>Kafka:Ingest:Topics</c> is empty, the ingest consumer; when empty, sinks that do nothing. The options are
    /// validated either way, so a bad setting stops start-up before it matters.
    /// </summary>
    public static IHostApplicationBuilder AddKafka(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<KafkaOptions>().BindConfiguration(KafkaOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<KafkaOptions>, KafkaOptionsValidator>();

        var enabled = !string.IsNullOrWhiteSpace(builder.Configuration[$"{KafkaOptions.SectionName}:{nameof(KafkaOptions.BootstrapServers)}"]);
        if (!enabled)
        {
            builder.Services.AddSingleton<IAcceptedMessageSink, NoAcceptedMessageSink>();
            builder.Services.AddSingleton<IDeadLetterSink, NoDeadLetterSink>();
            builder.Services.TryAddSingleton<IVehicleChangeFeed>(NoVehicleChangeFeed.Instance);
            return builder;
        }

        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton<GatewayMetrics>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<VehicleRecordProducer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<VehicleRecordProducer>());
        builder.Services.AddSingleton<IAcceptedMessageSink, KafkaIngestRecords>();
        builder.Services.AddSingleton<IDeadLetterSink, KafkaDeadLetters>();
        builder.Services.Replace(ServiceDescriptor.Singleton<IVehicleChangeFeed, KafkaChangeFeed>());
        builder.Services.AddHealthChecks().AddCheck<KafkaHealthCheck>("kafka", tags: [ReadinessTag]);

        // After the producer and the silo: it starts once both take calls, and stops (draining and committing) before them.
        var ingestTopics = builder.Configuration[$"{KafkaOptions.SectionName}:{nameof(KafkaOptions.Ingest)}:{nameof(KafkaIngestOptions.Topics)}"];
        if (ingestTopics is null || new KafkaIngestOptions { Topics = ingestTopics }.TopicList.Count > 0)
        {
            builder.Services.AddSingleton<VehicleRecordConsumer>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<VehicleRecordConsumer>());
        }

        return builder;
    }
}
