namespace DigitalTwin.Gateway.Mqtt;

public enum VehicleTopicKind
{
    Telemetry,
    Events,
    Status,
    Commands,
    CommandAck,
}
