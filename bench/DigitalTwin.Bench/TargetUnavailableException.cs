namespace DigitalTwin.Bench;

/// <summary>A baseline cannot run on this machine (a program is missing); the bench skips it and says why.</summary>
public sealed class TargetUnavailableException(string message) : Exception(message);
