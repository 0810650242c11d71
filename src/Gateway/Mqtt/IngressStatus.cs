namespace DigitalTwin.Gateway.Mqtt;

public enum IngressStatus
{
    Applied,
    Duplicate,
    Ignored,
    Rejected,
    NotAuthorized,
    Failed,
}
