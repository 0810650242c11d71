using DigitalTwin.Contract.Topics;

namespace DigitalTwin.Gateway.Mqtt;

/// <param name="Seq">For an applied telemetry or event document, its <c>seq</c>: what the twin must hold once it is durable.</param>
/// <param name="Kind">For an applied document, whether <see cref="Seq"/> is a telemetry or an event seq.</param>
public readonly record struct IngressResult(
    IngressStatus Status,
    string? Reason = null,
    string? Detail = null,
    long Seq = -1,
    VehicleTopicKind Kind = VehicleTopicKind.Telemetry)
{
    public static readonly IngressResult Applied = new(IngressStatus.Applied);
    public static readonly IngressResult Duplicate = new(IngressStatus.Duplicate);
    public static readonly IngressResult Ignored = new(IngressStatus.Ignored);
}
