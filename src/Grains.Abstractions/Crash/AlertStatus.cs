namespace DigitalTwin.Grains.Abstractions.Crash;

public enum AlertStatus
{
    Open = 0,
    Acknowledged = 1,
    Resolved = 2,
}
