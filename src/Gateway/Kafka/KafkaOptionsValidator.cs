using Microsoft.Extensions.Options;

namespace DigitalTwin.Gateway.Kafka;

/// <summary>Refuses a Kafka setting that cannot work, at start-up, with the key in the message.</summary>
public sealed class KafkaOptionsValidator : IValidateOptions<KafkaOptions>
{
    private const int MaxTopicLength = 249;

    public ValidateOptionsResult Validate(string? name, KafkaOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        foreach (var server in options.BootstrapServers!.Split(',', StringSplitOptions.TrimEntries))
        {
            var colon = server.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(server.AsSpan(colon + 1), out var port) || port is < 1 or > 65535)
            {
                failures.Add($"Kafka:BootstrapServers must be host:port[,host:port...], not '{server}'");
            }
        }

        var sasl = options.SecurityProtocol is KafkaSecurityProtocol.SaslPlaintext or KafkaSecurityProtocol.SaslSsl;
        if (sasl)
        {
            if (options.SaslMechanism is null)
            {
                failures.Add($"Kafka:SaslMechanism must be set (Plain, ScramSha256 or ScramSha512) when Kafka:SecurityProtocol is {options.SecurityProtocol}");
            }

            if (string.IsNullOrEmpty(options.SaslUsername) || string.IsNullOrEmpty(options.SaslPassword))
            {
                failures.Add($"Kafka:SaslUsername and Kafka:SaslPassword must be set when Kafka:SecurityProtocol is {options.SecurityProtocol}");
            }
        }
        else if (options.SaslMechanism is not null || !string.IsNullOrEmpty(options.SaslUsername) || !string.IsNullOrEmpty(options.SaslPassword))
        {
            failures.Add($"Kafka:SaslMechanism, Kafka:SaslUsername and Kafka:SaslPassword need Kafka:SecurityProtocol SaslPlaintext or SaslSsl, not {options.SecurityProtocol}");
        }

        if (!string.IsNullOrEmpty(options.SslCaLocation))
        {
            if (options.SecurityProtocol is not (KafkaSecurityProtocol.Ssl or KafkaSecurityProtocol.SaslSsl))
            {
                failures.Add($"Kafka:SslCaLocation needs Kafka:SecurityProtocol Ssl or SaslSsl, not {options.SecurityProtocol}");
            }
            else if (!File.Exists(options.SslCaLocation))
            {
                failures.Add($"Kafka:SslCaLocation '{options.SslCaLocation}' does not exist");
            }
        }

        if (options.DeliveryTimeout < TimeSpan.FromSeconds(1) || options.DeliveryTimeout > TimeSpan.FromMinutes(15))
        {
            failures.Add("Kafka:DeliveryTimeout must be between 00:00:01 and 00:15:00");
        }

        if (options.MaxQueuedRecords is < 1 or > 10_000_000)
        {
            failures.Add("Kafka:MaxQueuedRecords must be between 1 and 10000000");
        }

        foreach (var (key, topic) in options.Topics.All)
        {
            if (!IsTopicName(topic))
            {
                failures.Add($"Kafka:Topics:{key} must be 1-{MaxTopicLength} of a-z, A-Z, 0-9, '.', '_' and '-', not '{topic}'");
            }
        }

        ValidateIngest(options, failures);

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateIngest(KafkaOptions options, List<string> failures)
    {
        var ingest = options.Ingest;
        foreach (var topic in ingest.TopicList)
        {
            if (!IsTopicName(topic))
            {
                failures.Add($"Kafka:Ingest:Topics must be comma-separated topic names of a-z, A-Z, 0-9, '.', '_' and '-', not '{topic}'");
            }
            else if (options.Topics.All.Any(t => t.Name == topic))
            {
                failures.Add($"Kafka:Ingest:Topics must not include '{topic}', which the silos produce to (Kafka:Topics): its records would be applied again");
            }
        }

        if (string.IsNullOrWhiteSpace(ingest.GroupId))
        {
            failures.Add("Kafka:Ingest:GroupId must not be empty");
        }

        if (ingest.CommitInterval < TimeSpan.FromMilliseconds(10) || ingest.CommitInterval > TimeSpan.FromMinutes(5))
        {
            failures.Add("Kafka:Ingest:CommitInterval must be between 00:00:00.010 and 00:05:00");
        }

        if (ingest.Lanes is < 1 or > 4096)
        {
            failures.Add("Kafka:Ingest:Lanes must be between 1 and 4096");
        }

        if (ingest.MaxInFlight < ingest.Lanes || ingest.MaxInFlight > 1_000_000)
        {
            failures.Add("Kafka:Ingest:MaxInFlight must be between Kafka:Ingest:Lanes and 1000000");
        }

        if (ingest.MaxAttempts is < 1 or > 1000)
        {
            failures.Add("Kafka:Ingest:MaxAttempts must be between 1 and 1000");
        }

        if (ingest.DrainTimeout < TimeSpan.Zero || ingest.DrainTimeout > TimeSpan.FromMinutes(10))
        {
            failures.Add("Kafka:Ingest:DrainTimeout must be between 00:00:00 and 00:10:00");
        }
    }

    private static bool IsTopicName(string? topic) =>
        !string.IsNullOrEmpty(topic) && topic.Length <= MaxTopicLength && topic is not ("." or "..")
        && topic.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}
