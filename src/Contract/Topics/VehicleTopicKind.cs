namespace DigitalTwin.Contract.Topics;

public enum VehicleTopicKind
{
    Telemetry,
    Events,
    Status,
    Commands,
    CommandAck,
    Notifications,
}
