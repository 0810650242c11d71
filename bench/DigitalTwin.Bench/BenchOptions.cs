using System.Globalization;

namespace DigitalTwin.Bench;

/// <summary>The command line of the bench. <see cref="Parse"/> returns null and writes why when it is wrong.</summary>
public sealed class BenchOptions
{
    public const string Usage = """
        Usage: dotnet run -c Release --project bench/DigitalTwin.Bench -- [options]

          --smoke              1.5 s per scenario, 50 cars, 1,000 twins: proves the bench still runs
          --cars N             connected cars (default 1000; smoke 50)
          --duration S         seconds measured per scenario (default 30; smoke 1)
          --qos 0|1|0,1        QoS levels of the throughput scenarios (default 0,1); latency needs QoS 1
          --window N           QoS 1 publishes in flight per car in the max-throughput runs (default 10)
          --out FILE           machine-readable result (default bench-results/result.json)
          --skip LIST          comma-separated: twin,bare,bare-buffered,mosquitto,naive,latency,memory,flush,crash
          --twins K1,K2        twin counts of the memory scenario (default 10000,100000; smoke 1000)
          --twins-1m           also measure 1,000,000 twins (needs several GiB of memory)
          --crashes N          crash scenario: crashes, each on a car of its own (default 1000; smoke 50)
          --crash-twins N      twins activated before the crashes, crashes spread over them (default 10000; smoke 500)
          --crash-connected N  of those, cars with an MQTT connection, crashing cars included (default: crashes + 1000)
          --crash-sse N        crashing cars with an SSE client open (default 100; smoke 10)
          --crash-rate R       ordinary telemetry in msgs/s while the crashes run (default 2000; smoke 200)
          --crash-store S      alert store of the crash scenario: postgres or memory (default postgres)
        """;

    public static readonly string[] SkippableParts = ["twin", "bare", "bare-buffered", "mosquitto", "naive", "latency", "memory", "flush", "crash"];

    public bool Smoke { get; private init; }
    public int Cars { get; private init; } = 1000;
    public TimeSpan Duration { get; private init; } = TimeSpan.FromSeconds(30);
    public IReadOnlyList<int> QosLevels { get; private init; } = [0, 1];
    public int Window { get; private init; } = 10;
    public string OutPath { get; private init; } = Path.Combine("bench-results", "result.json");
    public IReadOnlySet<string> Skip { get; private init; } = new HashSet<string>();
    public IReadOnlyList<int> TwinCounts { get; private init; } = [10_000, 100_000];
    public bool Twins1M { get; private init; }

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

    /// <summary>Dirty twins per flush in the snapshot flush scenario.</summary>
    public IReadOnlyList<int> FlushTwinCounts => Smoke ? [1_000] : [10_000, 100_000];

    /// <summary>Timed flushes per twin count, after the untimed first one that inserts the rows.</summary>
    public int FlushRounds => Smoke ? 3 : 10;

    public bool Runs(string part) => !Skip.Contains(part);

    public static BenchOptions? Parse(IReadOnlyList<string> args, TextWriter error)
    {
        var smoke = args.Contains("--smoke");
        int? cars = null;
        TimeSpan? duration = null;
        IReadOnlyList<int>? twins = null;
        IReadOnlyList<int> qos = [0, 1];
        var window = 10;
        var outPath = Path.Combine("bench-results", "result.json");
        var skip = new HashSet<string>(StringComparer.Ordinal);
        var twins1M = false;
        int? memoryChild = null;
        var memoryHistory = 0;
        int? crashes = null;
        int? crashTwins = null;
        int? crashConnected = null;
        int? crashSse = null;
        double? crashRate = null;
        var crashStore = "postgres";

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value()
            {
                if (i + 1 >= args.Count)
                {
                    throw new FormatException($"{arg} needs a value");
                }

                return args[++i];
            }

            try
            {
                switch (arg)
                {
                    case "--smoke":
                        break;
                    case "--cars":
                        cars = PositiveInt(Value(), arg);
                        break;
                    case "--duration":
                        var seconds = double.Parse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture);
                        duration = seconds > 0 ? TimeSpan.FromSeconds(seconds) : throw new FormatException("--duration must be above 0 seconds");
                        break;
                    case "--qos":
                        qos = Value().Split(',').Select(q => q.Trim() switch
                        {
                            "0" => 0,
                            "1" => 1,
                            _ => throw new FormatException("--qos takes 0, 1 or 0,1"),
                        }).Distinct().Order().ToArray();
                        break;
                    case "--window":
                        window = PositiveInt(Value(), arg);
                        break;
                    case "--out":
                        outPath = Value();
                        break;
                    case "--skip":
                        foreach (var part in Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                        {
                            skip.Add(SkippableParts.Contains(part) ? part : throw new FormatException($"--skip knows {string.Join(", ", SkippableParts)}, not '{part}'"));
                        }

                        break;
                    case "--twins":
                        twins = Value().Split(',').Select(t => PositiveInt(t.Trim().Replace("_", "", StringComparison.Ordinal), arg)).ToArray();
                        break;
                    case "--twins-1m":
                        twins1M = true;
                        break;
                    case "--crashes":
                        crashes = PositiveInt(Value(), arg);
                        break;
                    case "--crash-twins":
                        crashTwins = PositiveInt(Value(), arg);
                        break;
                    case "--crash-connected":
                        crashConnected = PositiveInt(Value(), arg);
                        break;
                    case "--crash-sse":
                        crashSse = int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var sse) ? sse : throw new FormatException("--crash-sse takes a whole number");
                        break;
                    case "--crash-rate":
                        var rate = double.Parse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture);
                        crashRate = rate >= 0 ? rate : throw new FormatException("--crash-rate must be 0 or more msgs/s");
                        break;
                    case "--crash-store":
                        var store = Value();
                        crashStore = store is "postgres" or "memory" ? store : throw new FormatException("--crash-store takes postgres or memory");
                        break;
                    case "--memory-child":
                        memoryChild = PositiveInt(Value(), arg);
                        break;
                    case "--memory-history":
                        memoryHistory = int.Parse(Value(), NumberStyles.None, CultureInfo.InvariantCulture);
                        break;
                    case "-h" or "--help":
                        error.WriteLine(Usage);
                        return null;
                    default:
                        throw new FormatException($"unknown option '{arg}'");
                }
            }
            catch (FormatException ex)
            {
                error.WriteLine($"bench: {ex.Message}");
                error.WriteLine(Usage);
                return null;
            }
        }

        var twinCounts = (twins ?? (smoke ? [1_000] : [10_000, 100_000])).ToList();
        if (twins1M && !twinCounts.Contains(1_000_000))
        {
            twinCounts.Add(1_000_000);
        }

        var crashCount = crashes ?? (smoke ? 50 : 1000);
        var crashTwinCount = crashTwins ?? (smoke ? 500 : 10_000);
        var crashConnectedCount = crashConnected ?? Math.Min(crashTwinCount, crashCount + DefaultCrashStreamingCars);
        var crashSseCount = crashSse ?? (smoke ? 10 : 100);
        var crashProblem = crashCount > crashTwinCount ? "--crashes must not exceed --crash-twins (one crash per car)"
            : crashConnectedCount < crashCount || crashConnectedCount > crashTwinCount ? "--crash-connected must lie between --crashes and --crash-twins (every crashing car is connected)"
            : crashSseCount > crashCount ? "--crash-sse must not exceed --crashes"
            : null;
        if (crashProblem is not null)
        {
            error.WriteLine($"bench: {crashProblem}");
            error.WriteLine(Usage);
            return null;
        }

        return new BenchOptions
        {
            Smoke = smoke,
            Cars = cars ?? (smoke ? 50 : 1000),
            Duration = duration ?? (smoke ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(30)),
            QosLevels = qos,
            Window = window,
            OutPath = outPath,
            Skip = skip,
            TwinCounts = twinCounts,
            Twins1M = twins1M,
            MemoryChildTwins = memoryChild,
            MemoryChildHistory = memoryHistory,
            Crashes = crashCount,
            CrashTwins = crashTwinCount,
            CrashConnected = crashConnectedCount,
            CrashSseClients = crashSseCount,
            CrashBackgroundRate = crashRate ?? (smoke ? 200 : 2000),
            CrashStore = crashStore,
        };
    }

    private static int PositiveInt(string text, string option) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new FormatException($"{option} takes a positive whole number, not '{text}'");
}
