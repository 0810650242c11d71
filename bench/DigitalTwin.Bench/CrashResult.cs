namespace DigitalTwin.Bench;

/// <summary>One run of the crash alert latency scenario.</summary>
/// <param name="AlertStore"><c>postgres</c> (durable: one autocommitted upsert per alert) or <c>memory</c>.</param>
/// <param name="AlertStoreDetail">The store as run: server version and commit settings, or why it is in memory.</param>
/// <param name="Twins">Twins activated with ordinary telemetry before the first crash; the crashes are spread over them.</param>
/// <param name="ConnectedCars">Cars with an MQTT connection of their own (every crashing car is one).</param>
/// <param name="StreamingCars">Connected cars that publish the ordinary telemetry; the crashing cars are not among them.</param>
/// <param name="ActivatedByGrainCalls">Twins without a connection, activated by one direct <c>ApplyTelemetry</c> each.</param>
/// <param name="MaxStartLagMs">Worst delay of a crash publish behind its slot in the steady pace (the generator's own stalls).</param>
/// <param name="Latencies">publish -> PUBACK, -> SSE alert event, -> emergency.ack, and the ordinary telemetry's publish -> PUBACK.</param>
/// <param name="ReadChecks">Crashes whose alert was read over HTTP (<c>GET .../alerts</c>) right after their PUBACK.</param>
/// <param name="ReadMisses">Of those, reads that did not return the crash's alert: each is a failure.</param>
/// <param name="AlertsStored">Crashing cars whose grain lists exactly the crash's alert after the run.</param>
/// <param name="GcPauses">This process's GC pauses in the crash window, and the slow crashes that overlapped one.</param>
/// <param name="Check">Every connected car's twin read back: its last applied seq against the car's last seq.</param>
public sealed record CrashResult(
    string AlertStore,
    string AlertStoreDetail,
    int Twins,
    int ConnectedCars,
    int StreamingCars,
    int ActivatedByGrainCalls,
    int Crashes,
    double CrashesPerSecond,
    int SseClients,
    double BackgroundOfferedPerSecond,
    double BackgroundAchievedPerSecond,
    long BackgroundSkipped,
    long BackgroundFailed,
    double ConnectSeconds,
    double ActivationSeconds,
    double CrashSeconds,
    double MaxStartLagMs,
    IReadOnlyList<CrashLatency> Latencies,
    int ReadChecks,
    int ReadMisses,
    int AlertsStored,
    LossCheck? Check,
    bool Passed,
    string Verification,
    string GcPauses);

/// <param name="Key"><c>puback</c>, <c>sse</c>, <c>ack</c> or <c>telemetry</c>.</param>
/// <param name="Samples">Latencies recorded.</param>
/// <param name="Missing">Expected but never seen (no PUBACK with success, no SSE event, no emergency.ack) or failed publishes.</param>
public sealed record CrashLatency(string Key, string Measure, double? P50Ms, double? P99Ms, double? MaxMs, long Samples, long Missing);
