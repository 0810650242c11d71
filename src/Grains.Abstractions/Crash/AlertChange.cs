namespace DigitalTwin.Grains.Abstractions.Crash;

public enum AlertChange
{
    Changed,

    /// <summary>The alert was already in that state; nothing changed.</summary>
    Unchanged,

    /// <summary>No alert with that id on this vehicle.</summary>
    NotFound,

    /// <summary>The transition is not allowed (a resolved alert cannot be acknowledged).</summary>
    Conflict,
}
