namespace DigitalTwin.Bench;

/// <summary>A part of the bench that was skipped or failed, and why.</summary>
public sealed record Note(string Part, string Message);
