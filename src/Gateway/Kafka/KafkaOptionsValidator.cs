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
            if (string.IsNullOrEmpty(topic) || topic.Length > MaxTopicLength || topic is "." or ".."
                || !topic.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                failures.Add($"Kafka:Topics:{key} must be 1-{MaxTopicLength} of a-z, A-Z, 0-9, '.', '_' and '-', not '{topic}'");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
