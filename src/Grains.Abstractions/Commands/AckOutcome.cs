namespace DigitalTwin.Grains.Abstractions.Commands;

public enum AckOutcome
{
    Applied,

    /// <summary>The same ack again: nothing changed.</summary>
    Duplicate,

    /// <summary>No command with that id on this vehicle (unknown, or another car's).</summary>
    Unknown,

    /// <summary>The ack contradicts the command's state (completed before accepted, after expiry...).</summary>
    NotAllowed,
}
