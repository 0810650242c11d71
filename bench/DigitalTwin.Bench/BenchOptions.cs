using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Globalization;

namespace DigitalTwin.Bench;

/// <summary>The command line of the bench (System.CommandLine). <see cref="Parse"/> returns null and writes why when it is wrong.</summary>
public sealed class BenchOptions
{
    private const string Description = "The DigitalTwin bench: throughput, latency, memory, flush and crash scenarios (run with dotnet run -c Release --project bench/DigitalTwin.Bench -- [options]).";

    public static readonly string[] SkippableParts = ["twin", "twin-no-insights", "bare", "bare-buffered", "bare-kestrel", "mosquitto", "naive", "latency", "memory", "flush", "crash", "kafka-mqtt", "kafka-in"];

    public bool Smoke { get; private init; }

    /// <summary>Ingest measured from outside: generator and every target in processes of their own (<see cref="Outside.OutsideBench"/>).</summary>
    public bool Outside { get; private init; }

    /// <summary>With <see cref="Outside"/>: silo counts of the scaling part (QoS 1, 10 in flight, clustered on PostgreSQL); empty = skipped.</summary>
    public IReadOnlyList<int> OutsideSilos { get; private init; } = [];

    /// <summary>Set only in a generator child: what it runs, as <see cref="Outside.GeneratorSpec"/> JSON.</summary>
    public string? GeneratorSpec { get; private init; }

    /// <summary>Set only in the child that serves as the bare MQTTnet baseline (<see cref="Outside.BareServerChild"/>).</summary>
    public bool ServeBare { get; private init; }

    /// <summary>Runs only the signal history writer against PostgreSQL (<see cref="HistoryBench"/>).</summary>
    public bool History { get; private init; }

    /// <summary>Runs only the road scenarios (<see cref="RoadBench"/>): feeding cells, cell updates, fleet queries.</summary>
    public bool Road { get; private init; }

    /// <summary>Runs only the connection storm: <see cref="StormCars"/> cars connecting at once to a silo in its own process.</summary>
    public bool Storm { get; private init; }

    public int StormCars { get; private init; } = 10_000;

    /// <summary>Storm without token validation (Development, Mqtt:AllowAnonymous): what the tokens cost.</summary>
    public bool StormAnonymous { get; private init; }

    /// <summary>Runs only the external-broker comparison: the same generator against an embedded silo and one behind Mosquitto.</summary>
    public bool External { get; private init; }

    public int ExternalCars { get; private init; } = 200;

    public int ExternalMessages { get; private init; } = 200;

    /// <summary>Storm over TLS: <c>token</c> (TLS, token in CONNECT) or <c>certificate</c> (mutual TLS, no token); null = plain TCP.</summary>
    public string? StormTls { get; private init; }
    public int Cars { get; private init; } = 1000;
    public TimeSpan Duration { get; private init; } = TimeSpan.FromSeconds(30);
    public IReadOnlyList<int> QosLevels { get; private init; } = [0, 1];
    public int Window { get; private init; } = 10;
    public string OutPath { get; private init; } = Path.Combine("bench-results", "result.json");
    public IReadOnlySet<string> Skip { get; private init; } = new HashSet<string>();
    public IReadOnlyList<int> TwinCounts { get; private init; } = [10_000, 100_000];
    public bool Twins1M { get; private init; }

    /// <summary>Runs the Kafka scenarios (issue 13) instead of the others: MQTT -> twin -> Kafka, and Kafka -> twins.</summary>
    public bool Kafka { get; private init; }

    /// <summary>Kafka -> twins: records produced per car (cars x this many in all).</summary>
    public int KafkaRecordsPerCar { get; private init; } = 50;

    /// <summary>MQTT -> twin -> Kafka: the open-loop rate (msgs/s over all cars) the PUBACK latency is measured at, the same for every mode.</summary>
    public double KafkaLatencyRate { get; private init; } = 2000;

    /// <summary>MQTT -> twin -> Kafka: when set, a fourth mode, durable with the silo producer's <c>linger.ms</c> at this value.</summary>
    public int? KafkaLingerMs { get; private init; }

    /// <summary>MQTT -> twin -> Kafka: how often the modes run, interleaved.</summary>
    public int KafkaRounds { get; private init; } = 1;

    /// <summary>Partitions of the ingest topic <c>vehicle-telemetry-in</c> (and of <c>vehicle-telemetry</c>).</summary>
    public int KafkaPartitions { get; private init; } = 8;

    /// <summary>Crash scenario: crashes, each on a car of its own.</summary>
    public int Crashes { get; private init; } = 1000;

    /// <summary>Crash scenario: twins activated with ordinary telemetry before the first crash.</summary>
    public int CrashTwins { get; private init; } = 10_000;

    /// <summary>
    /// Crash scenario: cars with an MQTT connection of their own, crashing cars included; the rest of the twins are
    /// activated by direct grain calls. Not all 10,000: the car and the broker end of every connection are both sockets of
    /// this one process, and 20,000 of them exceed the open-files limit of the machine the bench was written on.
    /// </summary>
    public int CrashConnected { get; private init; } = 2_000;

    /// <summary>Connected cars that stream ordinary telemetry in the crash scenario, unless told otherwise.</summary>
    public const int DefaultCrashStreamingCars = 1000;

    /// <summary>Crash scenario: crashing cars that have an SSE client open before their crash.</summary>
    public int CrashSseClients { get; private init; } = 100;

    /// <summary>Crash scenario: ordinary telemetry (QoS 1, msgs/s over all streaming cars) while the crashes run.</summary>
    public double CrashBackgroundRate { get; private init; } = 2000;

    /// <summary>Crash scenario: <c>postgres</c> (durable, as deployed) or <c>memory</c>.</summary>
    public string CrashStore { get; private init; } = "postgres";

    /// <summary>Crash scenario: how many times it runs; with more than one, the targets are judged on the median p99.</summary>
    public int CrashRuns { get; private init; } = 1;

    /// <summary>Crash scenario: crashes start at this steady pace.</summary>
    public double CrashesPerSecond => 25;

    /// <summary>Crash scenario: ordinary telemetry runs this long before the first crash.</summary>
    public TimeSpan CrashWarmup => Smoke ? TimeSpan.FromSeconds(0.5) : TimeSpan.FromSeconds(3);

    /// <summary>Set only in the child process that measures memory: how many twins to activate.</summary>
    public int? MemoryChildTwins { get; private init; }

    /// <summary>In the memory child: points of in-memory history per signal (0 = off).</summary>
    public int MemoryChildHistory { get; private init; }

    /// <summary>
    /// Time given to every throughput run before it is measured: connections are warm, the JIT has tiered up,
    /// TCP windows have grown. Short in smoke mode, where only "it runs" matters.
    /// </summary>
    public TimeSpan Warmup => Smoke
        ? TimeSpan.FromSeconds(0.5)
        : TimeSpan.FromSeconds(Math.Clamp(Duration.TotalSeconds / 6, 1, 5));

    /// <summary>
    /// Kafka scenarios: the closed loop's warm-up against a silo process started for it. A fresh process runs tier-0 code
    /// and compiles its hot paths in the background; on a busy machine its rate was still climbing 17 s into the load.
    /// </summary>
    public TimeSpan KafkaWarmup => Smoke ? TimeSpan.FromSeconds(0.5) : TimeSpan.FromSeconds(20);

    /// <summary>Kafka -> twins: records per car applied and committed before the measured burst (twins active, code compiled).</summary>
    public int KafkaWarmupRecordsPerCar => Smoke ? 2 : 20;

    /// <summary>Dirty twins per flush in the snapshot flush scenario.</summary>
    public IReadOnlyList<int> FlushTwinCounts => Smoke ? [1_000] : [10_000, 100_000];

    /// <summary>Timed flushes per twin count, after the untimed first one that inserts the rows.</summary>
    public int FlushRounds => Smoke ? 3 : 10;

    public bool Runs(string part) => !Skip.Contains(part);

    /// <summary>Parses <paramref name="args"/>; on a mistake, or for <c>--help</c>, writes to <paramref name="error"/> and returns null.</summary>
    public static BenchOptions? Parse(IReadOnlyList<string> args, TextWriter error)
    {
        var command = new BenchCommand();
        var result = command.Root.Parse(args);
        if (result.Action is HelpAction)
        {
            WriteHelp(error);
            return null;
        }

        if (result.Errors.Count > 0)
        {
            foreach (var parseError in result.Errors)
            {
                error.WriteLine($"bench: {parseError.Message}");
            }

            WriteHelp(error);
            return null;
        }

        var smoke = result.GetValue(command.Smoke);
        var twins = result.GetValue(command.Twins);
        var twins1M = result.GetValue(command.Twins1M);
        var twinCounts = (twins ?? (smoke ? [1_000] : [10_000, 100_000])).ToList();
        if (twins1M && !twinCounts.Contains(1_000_000))
        {
            twinCounts.Add(1_000_000);
        }

        var kafka = result.GetValue(command.Kafka);
        var crashCount = result.GetValue(command.Crashes) ?? (smoke ? 50 : 1000);
        var crashTwinCount = result.GetValue(command.CrashTwins) ?? (smoke ? 500 : 10_000);
        var crashConnectedCount = result.GetValue(command.CrashConnected) ?? Math.Min(crashTwinCount, crashCount + DefaultCrashStreamingCars);
        var crashSseCount = result.GetValue(command.CrashSse) ?? (smoke ? 10 : 100);
        var crashProblem = crashCount > crashTwinCount ? "--crashes must not exceed --crash-twins (one crash per car)"
            : crashConnectedCount < crashCount || crashConnectedCount > crashTwinCount ? "--crash-connected must lie between --crashes and --crash-twins (every crashing car is connected)"
            : crashSseCount > crashCount ? "--crash-sse must not exceed --crashes"
            : null;
        if (crashProblem is not null)
        {
            error.WriteLine($"bench: {crashProblem}");
            WriteHelp(error);
            return null;
        }

        return new BenchOptions
        {
            Smoke = smoke,
            Outside = result.GetValue(command.Outside),
            OutsideSilos = result.GetValue(command.Silos) ?? [],
            GeneratorSpec = result.GetValue(command.Generator),
            ServeBare = result.GetValue(command.ServeBare),
            History = result.GetValue(command.History),
            Road = result.GetValue(command.Road),
            Storm = result.GetValue(command.Storm),
            StormCars = result.GetValue(command.StormCars) ?? (smoke ? 500 : 10_000),
            StormAnonymous = result.GetValue(command.StormAnonymous),
            External = result.GetValue(command.External),
            ExternalCars = result.GetValue(command.ExternalCars) ?? (smoke ? 20 : 200),
            ExternalMessages = result.GetValue(command.ExternalMessages) ?? (smoke ? 20 : 200),
            StormTls = result.GetValue(command.StormTls),
            Cars = result.GetValue(command.Cars) ?? (smoke ? 50 : 1000),
            Duration = result.GetValue(command.Duration) ?? (smoke ? TimeSpan.FromSeconds(1) : kafka ? TimeSpan.FromSeconds(15) : TimeSpan.FromSeconds(30)),
            QosLevels = result.GetValue(command.Qos) ?? [0, 1],
            Window = result.GetValue(command.Window),
            OutPath = result.GetValue(command.Out)!,
            Skip = result.GetValue(command.Skip)!,
            TwinCounts = twinCounts,
            Twins1M = twins1M,
            MemoryChildTwins = result.GetValue(command.MemoryChild),
            MemoryChildHistory = result.GetValue(command.MemoryHistory),
            Crashes = crashCount,
            CrashTwins = crashTwinCount,
            CrashConnected = crashConnectedCount,
            CrashSseClients = crashSseCount,
            CrashBackgroundRate = result.GetValue(command.CrashRate) ?? (smoke ? 200 : 2000),
            CrashStore = result.GetValue(command.CrashStore)!,
            CrashRuns = result.GetValue(command.CrashRuns) ?? 1,
            Kafka = kafka,
            KafkaRecordsPerCar = result.GetValue(command.KafkaRecords) ?? (smoke ? 20 : 50),
            KafkaLatencyRate = result.GetValue(command.KafkaRate) ?? (smoke ? 200 : 2000),
            KafkaPartitions = result.GetValue(command.KafkaPartitions) ?? 8,
            KafkaRounds = result.GetValue(command.KafkaRounds) ?? 1,
            KafkaLingerMs = result.GetValue(command.KafkaLinger),
        };
    }

    /// <summary>Writes the generated <c>--help</c> text.</summary>
    public static void WriteHelp(TextWriter output) =>
        new BenchCommand().Root.Parse(["--help"]).Invoke(new InvocationConfiguration { Output = output });

    /// <summary>
    /// The command line. Options whose default depends on <c>--smoke</c> are nullable and defaulted in
    /// <see cref="Parse"/>; their help says both defaults.
    /// </summary>
    private sealed class BenchCommand
    {
        public Option<bool> Smoke { get; } = new("--smoke") { Description = "1.5 s per scenario, 50 cars, 1,000 twins: proves the bench still runs" };

        public Option<int?> Cars { get; } = PositiveIntOption("--cars", "N", "connected cars (default 1000; smoke 50)");

        public Option<bool> Road { get; } = new("--road")
        {
            Description = "only the road scenarios (issue 18), in-process silo: the twin's road feed per message, cell updates/s with 10,000 moving cars, fleet query p50/p99 over 100,000 indexed twins, ingest with and without positions (smoke: a tenth)",
        };

        public Option<bool> History { get; } = new("--history")
        {
            Description = "only the signal history writer: rows/s into a durable PostgreSQL of its own, 10 rounds of 200,000 samples, then a replay (smoke: 2 rounds of 20,000)",
        };

        public Option<bool> Storm { get; } = new("--storm")
        {
            Description = "only the connection storm: --storm-cars cars connect at once (token auth) to a silo in a process of its own, twice (cold, then reconnecting)",
        };

        public Option<int?> StormCars { get; } = PositiveIntOption("--storm-cars", "N", "cars in the connection storm (default 10000; smoke 500)");

        public Option<string?> StormTls { get; } = new("--storm-tls")
        {
            Description = "the storm over MQTT over TLS: token (the token in CONNECT) or certificate (a certificate per car, no token)",
            HelpName = "token|certificate",
            CustomParser = r => r.Tokens[0].Value is "token" or "certificate" ? r.Tokens[0].Value : Bad<string?>(r, "--storm-tls takes token or certificate"),
        };

        public Option<bool> StormAnonymous { get; } = new("--storm-anonymous")
        {
            Description = "the storm without token validation (Development, Mqtt:AllowAnonymous=true), to see what tokens cost",
        };

        public Option<bool> External { get; } = new("--external")
        {
            Description = "only the external-broker comparison: --external-cars cars publish --external-messages telemetry documents each at QoS 1 to a silo's embedded broker, then through Mosquitto to a silo in Mqtt:Mode=External",
        };

        public Option<int?> ExternalCars { get; } = PositiveIntOption("--external-cars", "N", "cars of the external-broker comparison (default 200; smoke 20)");

        public Option<int?> ExternalMessages { get; } = PositiveIntOption("--external-messages", "N", "telemetry documents per car in the external-broker comparison (default 200; smoke 20)");

        public Option<TimeSpan?> Duration { get; } = new("--duration")
        {
            Description = "seconds measured per scenario (default 30; smoke 1)",
            HelpName = "S",
            CustomParser = r => ParseDouble(r) is { } seconds
                ? seconds > 0 ? TimeSpan.FromSeconds(seconds) : Bad<TimeSpan?>(r, "--duration must be above 0 seconds")
                : null,
        };

        public Option<IReadOnlyList<int>?> Qos { get; } = new("--qos")
        {
            Description = "QoS levels of the throughput scenarios (default 0,1); latency needs QoS 1",
            HelpName = "0|1|0,1",
            CustomParser = r =>
            {
                var levels = new List<int>();
                foreach (var q in r.Tokens[0].Value.Split(','))
                {
                    switch (q.Trim())
                    {
                        case "0": levels.Add(0); break;
                        case "1": levels.Add(1); break;
                        default: return Bad<IReadOnlyList<int>?>(r, "--qos takes 0, 1 or 0,1");
                    }
                }

                return levels.Distinct().Order().ToArray();
            },
        };

        public Option<int> Window { get; } = new("--window")
        {
            Description = "QoS 1 publishes in flight per car in the max-throughput runs",
            HelpName = "N",
            DefaultValueFactory = _ => 10,
            CustomParser = r => PositiveInt(r, r.Tokens[0].Value) ?? 0,
        };

        public Option<string> Out { get; } = new("--out")
        {
            Description = "machine-readable result",
            HelpName = "FILE",
            DefaultValueFactory = _ => Path.Combine("bench-results", "result.json"),
        };

        public Option<IReadOnlySet<string>> Skip { get; } = new("--skip")
        {
            Description = "comma-separated parts not to run: " + string.Join(',', SkippableParts),
            HelpName = "LIST",
            DefaultValueFactory = _ => new HashSet<string>(StringComparer.Ordinal),
            CustomParser = r =>
            {
                var skip = new HashSet<string>(StringComparer.Ordinal);
                foreach (var part in r.Tokens[0].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (!SkippableParts.Contains(part))
                    {
                        return Bad<IReadOnlySet<string>>(r, $"--skip knows {string.Join(", ", SkippableParts)}, not '{part}'");
                    }

                    skip.Add(part);
                }

                return skip;
            },
        };

        public Option<IReadOnlyList<int>?> Twins { get; } = new("--twins")
        {
            Description = "twin counts of the memory scenario (default 10000,100000; smoke 1000)",
            HelpName = "K1,K2",
            CustomParser = PositiveIntList,
        };

        public Option<IReadOnlyList<int>?> Silos { get; } = new("--silos")
        {
            Description = "with --outside: also the same generator against 1, 2, 3... silos clustered on PostgreSQL (QoS 1, 10 in flight), e.g. 1,2,3",
            HelpName = "N1,N2",
            CustomParser = PositiveIntList,
        };

        private static IReadOnlyList<int>? PositiveIntList(ArgumentResult r)
        {
            var counts = new List<int>();
            foreach (var t in r.Tokens[0].Value.Split(','))
            {
                if (PositiveInt(r, t.Trim().Replace("_", "", StringComparison.Ordinal)) is not { } count)
                {
                    return null;
                }

                counts.Add(count);
            }

            return counts;
        }

        public Option<bool> Twins1M { get; } = new("--twins-1m") { Description = "also measure 1,000,000 twins (needs several GiB of memory)" };

        public Option<int?> Crashes { get; } = PositiveIntOption("--crashes", "N", "crash scenario: crashes, each on a car of its own (default 1000; smoke 50)");

        public Option<int?> CrashTwins { get; } = PositiveIntOption("--crash-twins", "N", "twins activated before the crashes, crashes spread over them (default 10000; smoke 500)");

        public Option<int?> CrashConnected { get; } = PositiveIntOption("--crash-connected", "N", "of those, cars with an MQTT connection, crashing cars included (default: crashes + 1000)");

        public Option<int?> CrashSse { get; } = new("--crash-sse")
        {
            Description = "crashing cars with an SSE client open (default 100; smoke 10)",
            HelpName = "N",
            CustomParser = r => int.TryParse(r.Tokens[0].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var sse)
                ? sse
                : Bad<int?>(r, "--crash-sse takes a whole number"),
        };

        public Option<int?> CrashRuns { get; } = PositiveIntOption("--crash-runs", "N", "crash scenario: runs, one after another; the targets are judged on the median of their p99s (default 1)");

        public Option<double?> CrashRate { get; } = new("--crash-rate")
        {
            Description = "ordinary telemetry in msgs/s while the crashes run (default 2000; smoke 200)",
            HelpName = "R",
            CustomParser = r => ParseDouble(r) is { } rate
                ? rate >= 0 ? rate : Bad<double?>(r, "--crash-rate must be 0 or more msgs/s")
                : null,
        };

        public Option<string> CrashStore { get; } = new("--crash-store")
        {
            Description = "alert store of the crash scenario: postgres or memory",
            HelpName = "S",
            DefaultValueFactory = _ => "postgres",
            CustomParser = r => r.Tokens[0].Value is "postgres" or "memory" ? r.Tokens[0].Value : Bad<string>(r, "--crash-store takes postgres or memory"),
        };

        public Option<bool> Kafka { get; } = new("--kafka")
        {
            Description = "run only the Kafka scenarios (issue 13), against librdkafka's mock cluster: MQTT -> twin -> Kafka with Kafka off, on and durable; Kafka -> twins with one and two silos (default 15 s per scenario)",
        };

        public Option<int?> KafkaRecords { get; } = PositiveIntOption("--kafka-records", "N", "Kafka -> twins: records per car in the burst, cars x N in all (default 50; smoke 20)");

        public Option<double?> KafkaRate { get; } = new("--kafka-rate")
        {
            Description = "MQTT -> twin -> Kafka: open-loop msgs/s the PUBACK latency is measured at, the same in every mode (default 2000; smoke 200)",
            HelpName = "R",
            CustomParser = r => ParseDouble(r) is { } rate
                ? rate > 0 ? rate : Bad<double?>(r, "--kafka-rate must be above 0 msgs/s")
                : null,
        };

        public Option<int?> KafkaRounds { get; } = PositiveIntOption("--kafka-rounds", "N", "MQTT -> twin -> Kafka: rounds of the modes, interleaved (default 1)");

        public Option<int?> KafkaLinger { get; } = new("--kafka-linger")
        {
            Description = "MQTT -> twin -> Kafka: also a durable mode with the silo producer's linger.ms at MS (Kafka:Producer:linger.ms; the silo's default is 5)",
            HelpName = "MS",
            CustomParser = r => int.TryParse(r.Tokens[0].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
                ? ms
                : Bad<int?>(r, "--kafka-linger takes a whole number of milliseconds"),
        };

        public Option<int?> KafkaPartitions { get; } = PositiveIntOption("--kafka-partitions", "N", "partitions of vehicle-telemetry-in and vehicle-telemetry (default 8)");

        public Option<bool> Outside { get; } = new("--outside")
        {
            Description = "ingest measured from outside: the generator and every target (bare MQTTnet, Mosquitto, the silo) in processes of their own, QoS 0 x2, QoS 1 x2 and x10, then latency at half the twin's QoS 1 maximum",
        };

        // Set by the bench on its child processes; not for people.
        public Option<string?> Generator { get; } = new("--generator") { Description = "generator child: its spec as JSON", Hidden = true };

        public Option<bool> ServeBare { get; } = new("--serve-bare") { Description = "child: a bare MQTTnet server that drops, printing its count", Hidden = true };

        // Set by the bench on the child process that measures memory; not for people.
        public Option<int?> MemoryChild { get; } = PositiveIntOption("--memory-child", "N", "memory child: twins to activate", hidden: true);

        public Option<int> MemoryHistory { get; } = new("--memory-history")
        {
            Description = "memory child: points of in-memory history per signal",
            Hidden = true,
            CustomParser = r => int.TryParse(r.Tokens[0].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var points)
                ? points
                : Bad<int>(r, $"--memory-history takes a whole number, not '{r.Tokens[0].Value}'"),
        };

        public RootCommand Root { get; }

        public BenchCommand()
        {
            Root = new RootCommand(Description)
            {
                Smoke, Outside, Silos, Generator, ServeBare, History, Road, Storm, StormCars, StormTls, StormAnonymous, External, ExternalCars, ExternalMessages, Cars, Duration, Qos, Window, Out, Skip, Twins, Twins1M,
                Crashes, CrashTwins, CrashConnected, CrashSse, CrashRate, CrashStore, CrashRuns, Kafka, KafkaRecords, KafkaRate, KafkaRounds, KafkaLinger, KafkaPartitions,
                MemoryChild, MemoryHistory,
            };
            Root.Options.Remove(Root.Options.OfType<VersionOption>().Single());
        }

        private static Option<int?> PositiveIntOption(string name, string helpName, string description, bool hidden = false) => new(name)
        {
            Description = description,
            HelpName = helpName,
            Hidden = hidden,
            CustomParser = r => PositiveInt(r, r.Tokens[0].Value),
        };

        private static int? PositiveInt(ArgumentResult result, string text) =>
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
                ? value
                : Bad<int?>(result, $"{OptionName(result)} takes a positive whole number, not '{text}'");

        private static double? ParseDouble(ArgumentResult result) =>
            double.TryParse(result.Tokens[0].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                ? value
                : Bad<double?>(result, $"{OptionName(result)} takes a number, not '{result.Tokens[0].Value}'");

        private static string OptionName(ArgumentResult result) => (result.Parent as OptionResult)?.Option.Name ?? "option";

        private static T Bad<T>(ArgumentResult result, string message)
        {
            result.AddError(message);
            return default!;
        }
    }
}
