namespace DigitalTwin.Gateway.Mqtt;

public readonly record struct IngressResult(IngressStatus Status, string? Reason = null, string? Detail = null)
{
    public static readonly IngressResult Applied = new(IngressStatus.Applied);
    public static readonly IngressResult Duplicate = new(IngressStatus.Duplicate);
    public static readonly IngressResult Ignored = new(IngressStatus.Ignored);
}
