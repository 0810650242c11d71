namespace DigitalTwin.Contract.Topics;

/// <summary>A topic of the contract's table: <c>vehicles/{vin}/{telemetry|events|status|commands|commands/ack|notifications}</c>.</summary>
public readonly record struct VehicleTopic(string Vin, VehicleTopicKind Kind)
{
    private const string Prefix = "vehicles/";

    public static string Of(string vin, VehicleTopicKind kind) => Prefix + vin + "/" + Suffix(kind);

    /// <summary>The filter that matches this kind of topic of every car, <c>vehicles/+/{kind}</c>.</summary>
    public static string ForEveryVehicle(VehicleTopicKind kind) => Prefix + "+/" + Suffix(kind);

    private static string Suffix(VehicleTopicKind kind) => kind switch
    {
        VehicleTopicKind.Telemetry => "telemetry",
        VehicleTopicKind.Events => "events",
        VehicleTopicKind.Status => "status",
        VehicleTopicKind.Commands => "commands",
        VehicleTopicKind.CommandAck => "commands/ack",
        VehicleTopicKind.Notifications => "notifications",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a topic of the contract"),
    };

    /// <summary>Topics the cloud publishes and a car only subscribes to: never applied to a twin.</summary>
    public static bool IsCloudToCar(VehicleTopicKind kind) => kind is VehicleTopicKind.Commands or VehicleTopicKind.Notifications;

    private static readonly VehicleTopicKind[] Kinds = Enum.GetValues<VehicleTopicKind>();

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

        var suffix = rest[(slash + 1)..];
        VehicleTopicKind? kind = null;
        foreach (var candidate in Kinds)
        {
            if (suffix.SequenceEqual(Suffix(candidate)))
            {
                kind = candidate;
                break;
            }
        }

        if (kind is null)
        {
            return ParseResult<VehicleTopic>.Failure(RejectReason.UnknownTopic, TableDetail);
        }

        return ParseResult<VehicleTopic>.Success(new VehicleTopic(new string(rest[..slash]), kind.Value));
    }
}
