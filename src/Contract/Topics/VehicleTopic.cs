namespace DigitalTwin.Contract.Topics;

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

    private const string TableDetail = "topics are vehicles/{vin}/telemetry|events|status|commands/ack";

    /// <summary>Reads a topic of the table; anything else is refused with the reason code and a description.</summary>
    public static ParseResult<VehicleTopic> Parse(string? topic)
    {
        if (topic is null || !topic.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return ParseResult<VehicleTopic>.Failure(RejectReason.UnknownTopic, TableDetail);
        }

        var rest = topic.AsSpan(Prefix.Length);
        var slash = rest.IndexOf('/');
        if (slash < 0)
        {
            return ParseResult<VehicleTopic>.Failure(RejectReason.UnknownTopic, TableDetail);
        }

        var vinError = Contract.Vin.Validate(rest[..slash]);
        if (vinError is not null)
        {
            return ParseResult<VehicleTopic>.Failure(RejectReason.InvalidVin, vinError);
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
            return ParseResult<VehicleTopic>.Failure(RejectReason.UnknownTopic, TableDetail);
        }

        return ParseResult<VehicleTopic>.Success(new VehicleTopic(new string(rest[..slash]), kind.Value));
    }
}
