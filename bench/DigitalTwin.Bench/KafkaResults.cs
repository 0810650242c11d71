namespace DigitalTwin.Bench;

/// <summary>Everything a <c>--kafka</c> run measured; serialized as the JSON result and printed as the table.</summary>
public sealed class KafkaReport
{
    public required DateTimeOffset StartedAt { get; init; }
    public required string Command { get; init; }
    public required bool Smoke { get; init; }
    public required MachineInfo Machine { get; init; }
    public required string LoadAverageAtStart { get; init; }
    public string? LoadAverageAtEnd { get; set; }
    public string Kafka { get; set; } = string.Empty;
    public required int Cars { get; init; }
    public required int Window { get; init; }
    public required double SecondsPerScenario { get; init; }
    public required double WarmupSeconds { get; init; }
    public required int PayloadBytes { get; init; }
    public List<KafkaMqttResult> Mqtt { get; } = [];
    public List<KafkaIngestResult> Ingest { get; } = [];
    public List<Note> Skipped { get; } = [];
    public List<Note> Errors { get; } = [];
    public double TotalSeconds { get; set; }
}

/// <summary>One mode of MQTT -> twin -> Kafka: the same fleet and scenario against a fresh silo process.</summary>
/// <param name="Mode"><c>off</c> (no Kafka), <c>async</c> (records produced after the PUBACK) or <c>durable</c> (<c>Kafka:DurableIngest=true</c>).</param>
/// <param name="AckedPerSecond">QoS 1 PUBACKs per second over the measured window of the closed loop.</param>
/// <param name="LatencyOfferedPerSecond">The open-loop rate the latency is measured at, the same in every mode.</param>
/// <param name="AddedP50Ms">This mode's p50 minus the <c>off</c> mode's, same run; null for <c>off</c>.</param>
/// <param name="RateVsOff">This mode's acknowledged rate over the <c>off</c> mode's.</param>
/// <param name="KafkaDelivered">From the silo's <c>digitaltwin_kafka_records_total</c> on <c>vehicle-telemetry</c>, at the end of the mode.</param>
/// <param name="Round">Modes run interleaved, round after round (<c>--kafka-rounds</c>).</param>
/// <param name="ProduceP50Ms">The silo's own <c>digitaltwin.kafka.produce.duration</c> (hand-over to acks=all) over the latency phase, bucket-interpolated.</param>
/// <param name="TwinsBehind">Cars whose twin holds a lower seq than the car's last acknowledged one.</param>
/// <param name="KafkaBehind">Cars whose highest seq in <c>vehicle-telemetry</c> is below the car's last acknowledged one (null without Kafka).</param>
/// <param name="ClosedLoopCpu">CPU the processes used over the closed loop's measured window.</param>
/// <param name="ClosedLoopPerSecond">PUBACKs in each whole second of that window: shows the stalls of a shared machine.</param>
public sealed record KafkaMqttResult(
    string Mode,
    int Round,
    string Settings,
    int Cars,
    int Window,
    double Seconds,
    double AckedPerSecond,
    double SlowestSecond,
    double FastestSecond,
    long Acked,
    long Failed,
    double LatencyOfferedPerSecond,
    double LatencyAchievedPerSecond,
    double? P50Ms,
    double? P99Ms,
    double? P999Ms,
    double? MaxMs,
    long LatencySamples,
    long LatencySkipped,
    long LatencyFailed,
    long? KafkaDelivered,
    long? KafkaFailed,
    long? KafkaDropped,
    long? KafkaRecordsInTopic,
    double? ProduceMeanMs,
    double? ProduceP50Ms,
    double? ProduceP99Ms,
    int TwinsBehind,
    int? KafkaBehind,
    CpuUse? ClosedLoopCpu,
    IReadOnlyList<double> ClosedLoopPerSecond,
    bool Passed,
    string Check)
{
    public double? AddedP50Ms { get; set; }
    public double? AddedP99Ms { get; set; }
    public double? AddedP999Ms { get; set; }
    public double? RateVsOff { get; set; }
}

/// <summary>
/// CPU used by each process over a measured window, in seconds, and the silo's per unit of work: on a shared machine the
/// wall-clock rate depends on what else runs, the CPU per message much less.
/// </summary>
/// <param name="WallSeconds">Length of the window.</param>
/// <param name="SiloSeconds">CPU of the silo process(es).</param>
/// <param name="KafkaSeconds">CPU of the Kafka mock's process (null without Kafka).</param>
/// <param name="BenchSeconds">CPU of the bench's process: generator, producer, probes.</param>
/// <param name="SiloMicrosPerItem">Silo CPU per message or record handled in the window.</param>
public sealed record CpuUse(double WallSeconds, double? SiloSeconds, double? KafkaSeconds, double BenchSeconds, double? SiloMicrosPerItem);

/// <summary>One configuration of Kafka -> twins: a burst, then a steady rate, into <c>vehicle-telemetry-in</c>, applied by one or more silo processes.</summary>
/// <param name="Store"><c>memory</c> (the embedded default, localhost clustering) or <c>postgres</c> (AdoNet clustering, write-behind to PostgreSQL).</param>
/// <param name="Burst">cars x N records produced at once while the silos wait with every partition assigned: how fast they are applied.</param>
/// <param name="Steady">Records at a steady rate below that, for the commit lag without a backlog.</param>
/// <param name="AppliedPerSilo">Records each silo applied in both phases (its <c>digitaltwin_kafka_consumed_total{outcome="applied"}</c>).</param>
public sealed record KafkaIngestResult(
    string Label,
    int Silos,
    string Store,
    int Cars,
    int Partitions,
    string CommitInterval,
    IngestBurst Burst,
    IngestSteady? Steady,
    IReadOnlyList<long> AppliedPerSilo,
    long Duplicates,
    long Refused,
    long Commits,
    long CommitsNotDurable,
    long CommitsFailed,
    bool Passed,
    string Check);

/// <param name="ProduceSeconds">From the first record handed to the bench's producer to Kafka acknowledging the last (acks=all).</param>
/// <param name="FirstAppliedSeconds">From the first record produced to the first one the silos applied.</param>
/// <param name="AllAppliedSeconds">From the first record produced to the last one applied.</param>
/// <param name="AllCommittedSeconds">From the first record produced to the group's committed offsets covering every record.</param>
/// <param name="RecordsPerSecond">Records / <paramref name="AllAppliedSeconds"/>: the silos' rate, producing included (it overlaps).</param>
/// <param name="SteadyRecordsPerSecond">The rate between 10% and 90% of the records applied.</param>
/// <param name="AppliedSource">What the applied timeline was read from: the silos' records in <c>vehicle-telemetry</c>, or their <c>/metrics</c>.</param>
/// <param name="Lag">Commit lag over the burst: with a backlog, mostly the time a record waits in the silo to be applied.</param>
/// <param name="MaxConsumerLag">Highest consumer lag of the group seen: records in the ingest topic not committed yet (sampled every 100 ms).</param>
/// <param name="Cpu">CPU from the first record produced to the last committed.</param>
public sealed record IngestBurst(
    int RecordsPerCar,
    long Records,
    double ProduceSeconds,
    double? FirstAppliedSeconds,
    double? AllAppliedSeconds,
    double? AllCommittedSeconds,
    double? RecordsPerSecond,
    double? SteadyRecordsPerSecond,
    string AppliedSource,
    CommitLag Lag,
    long MaxConsumerLag,
    CpuUse? Cpu);

/// <param name="OfferedPerSecond">Records produced per second, round robin over the cars (a fraction of the burst's steady rate).</param>
/// <param name="Lag">Commit lag of the records of this phase only.</param>
/// <param name="Cpu">CPU over the phase's measured window.</param>
public sealed record IngestSteady(
    double OfferedPerSecond,
    double Seconds,
    long Records,
    double? AppliedPerSecond,
    CommitLag Lag,
    long MaxConsumerLag,
    CpuUse? Cpu);

/// <summary>The two views of the commit lag.</summary>
/// <param name="MeanMs">The silos' <c>digitaltwin.kafka.commit.lag</c> histogram (reading the oldest record a commit covers -> its offset committed): mean.</param>
/// <param name="P50">Its median: the bucket and an interpolation inside it (the histogram has the OpenTelemetry default buckets).</param>
/// <param name="Samples">Commits it recorded (one per partition per barrier).</param>
/// <param name="AppliedToCommittedP50Ms">Per record, applied -> offset committed: the horizontal distance between the applied and committed curves, sampled every 100 ms.</param>
public sealed record CommitLag(
    double? MeanMs,
    QuantileEstimate? P50,
    QuantileEstimate? P99,
    long Samples,
    string Buckets,
    double? AppliedToCommittedP50Ms,
    double? AppliedToCommittedP99Ms,
    double? AppliedToCommittedMaxMs);
