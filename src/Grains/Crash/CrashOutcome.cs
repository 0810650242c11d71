namespace DigitalTwin.Grains.Crash;

public enum CrashOutcome
{
    /// <summary>Nothing to report: no crash evidence, or evidence the open incident already holds.</summary>
    None = 0,

    /// <summary>A new incident: raise one alert for it.</summary>
    Raised = 1,

    /// <summary>The open incident changed (severity, triggers or delta-v): update its alert, do not raise another.</summary>
    Updated = 2,

    /// <summary>The sample was a duplicate or older than one already seen and was not evaluated.</summary>
    Stale = 3,
}
