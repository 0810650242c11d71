namespace DigitalTwin.Grains.Abstractions.Telemetry;

public enum ApplyOutcome
{
    /// <summary>The document changed the twin.</summary>
    Applied = 0,

    /// <summary>The document's seq was not above the last applied one: a duplicate or stale copy, nothing changed.</summary>
    Duplicate = 1,
}
