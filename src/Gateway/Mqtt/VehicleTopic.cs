using DigitalTwin.Grains.Telemetry;

namespace DigitalTwin.Gateway.Mqtt;

/// <summary>A topic of the contract's table: <c>vehicles/{vin}/{telemetry|events|status|commands|commands/ack}</c>.</summary>
public readonly record struct VehicleTopic(string Vin, VehicleTopicKind Kind)
{
    private const string Prefix = "vehicles/";

    public static string Of(string vin, VehicleTopicKind kind) => kind switch
    {
        VehicleTopicKind.Telemetry => $"vehicles/{vin}/telemetry",
        VehicleTopicKind.Events => $"vehicles/{vin}/events",
        VehicleTopicKind.Status => $"vehicles/{vin}/status",
        VehicleTopicKind.Commands => $"vehicles/{vin}/commands",
        _ => $"vehicles/{vin}/commands/ack",
    };

    /// <returns>Null when the topic is one of the table, otherwise the reason code and a description.</returns>
    public static (string Reason, string Detail)? TryParse(string? topic, out VehicleTopic parsed)
    {
        parsed = default;
        if (topic is null || !topic.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return (RejectReason.UnknownTopic, "topics are vehicles/{vin}/telemetry|events|status|commands/ack");
        }

        var rest = topic.AsSpan(Prefix.Length);
        var slash = rest.IndexOf('/');
        if (slash < 0)
        {
            return (RejectReason.UnknownTopic, "topics are vehicles/{vin}/telemetry|events|status|commands/ack");
        }

        var vinError = Grains.Abstractions.Vehicles.Vin.Validate(rest[..slash]);
        if (vinError is not null)
        {
            return (RejectReason.InvalidVin, vinError);
        }

        VehicleTopicKind? kind = rest[(slash + 1)..] switch
        {
            "telemetry" => VehicleTopicKind.Telemetry,
            "events" => VehicleTopicKind.Events,
            "status" => VehicleTopicKind.Status,
            "commands" => VehicleTopicKind.Commands,
            "commands/ack" => VehicleTopicKind.CommandAck,
            _ => null,
        };
        if (kind is null)
        {
            return (RejectReason.UnknownTopic, "topics are vehicles/{vin}/telemetry|events|status|commands/ack");
        }

        parsed = new VehicleTopic(new string(rest[..slash]), kind.Value);
        return null;
    }
}
