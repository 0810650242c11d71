namespace DigitalTwin.Grains.Abstractions.Commands;

public enum CommandVerdict
{
    /// <summary>Valid and not contradicted by the twin: queue it (HTTP 202).</summary>
    Allowed = 0,

    /// <summary>Unknown name or bad parameters (HTTP 400 with the errors).</summary>
    Invalid = 1,

    /// <summary>Valid, but the twin's known state forbids it now (HTTP 409 with the reason).</summary>
    Conflict = 2,
}
