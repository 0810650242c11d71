namespace DigitalTwin.Bench;

/// <param name="MessagesPerSecond">Receiver-side rate over the measured window (after the warm-up).</param>
/// <param name="MinPerSecond">Slowest whole second of the window: shows whether the rate was sustained.</param>
/// <param name="Published">Publishes the fleet completed in the scenario (written at QoS 0, acknowledged at QoS 1).</param>
/// <param name="Received">What the target took in for the scenario, counted after the fleet stopped and the target drained.</param>
/// <param name="Lost">Published minus received after the drain.</param>
/// <param name="Failed">Publishes that threw or were acknowledged with an error.</param>
/// <param name="NotApplied">DigitalTwin only: telemetry counted as duplicate, rejected or failed.</param>
/// <param name="Check">DigitalTwin only: every car's twin read back and its last seq compared with the car's.</param>
public sealed record ThroughputResult(
    string Target,
    int Qos,
    int Cars,
    int Window,
    double WarmupSeconds,
    double Seconds,
    double MessagesPerSecond,
    double MinPerSecond,
    double MaxPerSecond,
    long Published,
    long Received,
    long Lost,
    long Failed,
    long? NotApplied,
    int LostConnections,
    double DrainSeconds,
    LossCheck? Check);
