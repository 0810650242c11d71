namespace DigitalTwin.Bench;

/// <param name="Status"><c>met</c>, <c>missed</c> or <c>not measured</c>.</param>
public sealed record GoalResult(string Goal, string Status, string Figure);
