namespace DigitalTwin.Bench;

/// <param name="Fraction">Offered load as a fraction of DigitalTwin's measured QoS 1 maximum.</param>
/// <param name="Skipped">Turns a car skipped because it already had its maximum of publishes unanswered.</param>
public sealed record LatencyResult(
    double Fraction,
    double OfferedPerSecond,
    double AchievedPerSecond,
    double? P50Ms,
    double? P99Ms,
    double? P999Ms,
    double? MaxMs,
    long Count,
    long Skipped,
    long Failed,
    LossCheck? Check);
