namespace DigitalTwin.Grains.Commands;

public enum TransitionVerdict
{
    /// <summary>The command moved to the new state.</summary>
    Applied = 0,

    /// <summary>The command is already in that state (an ack delivered twice, a timer fired twice); nothing changes.</summary>
    Duplicate = 1,

    /// <summary>A late copy of an earlier stage (an "accepted" after "completed"); nothing changes.</summary>
    OutOfOrder = 2,

    /// <summary>The move contradicts the command's state (rejected after accepted, anything after a final state); nothing changes.</summary>
    NotAllowed = 3,
}
