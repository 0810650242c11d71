namespace DigitalTwin.Grains.Abstractions.Commands;

/// <summary>The <c>status</c> of a car's ack on <c>vehicles/{vin}/commands/ack</c>.</summary>
public enum CommandAckStatus
{
    Accepted = 0,
    Rejected = 1,
    Completed = 2,
    Failed = 3,
}
