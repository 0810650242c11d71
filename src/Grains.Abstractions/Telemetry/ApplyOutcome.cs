namespace DigitalTwin.Grains.Abstractions.Telemetry;

public enum ApplyOutcome
{
    /// <summary>The document changed the twin.</summary>
    Applied = 0,

    /// <summary>The document's seq was not above the last applied one: a duplicate or stale copy, nothing changed.</summary>
    Duplicate = 1,

    /// <summary>
    /// Not applied, nothing changed: the history store is at its bound and did not make room within
    /// <c>Persistence:BackpressureTimeout</c>. The car is told to send it again instead of being acknowledged for
    /// samples history would drop.
    /// </summary>
    Deferred = 2,
}
