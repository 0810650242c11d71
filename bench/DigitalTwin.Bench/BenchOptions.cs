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
          --skip LIST          comma-separated: twin,bare,mosquitto,naive,latency,memory,flush
          --twins K1,K2        twin counts of the memory scenario (default 10000,100000; smoke 1000)
          --twins-1m           also measure 1,000,000 twins (needs several GiB of memory)
        """;

    public static readonly string[] SkippableParts = ["twin", "bare", "mosquitto", "naive", "latency", "memory", "flush"];

    public bool Smoke { get; private init; }
    public int Cars { get; private init; } = 1000;
    public TimeSpan Duration { get; private init; } = TimeSpan.FromSeconds(30);
    public IReadOnlyList<int> QosLevels { get; private init; } = [0, 1];
    public int Window { get; private init; } = 10;
    public string OutPath { get; private init; } = Path.Combine("bench-results", "result.json");
    public IReadOnlySet<string> Skip { get; private init; } = new HashSet<string>();
    public IReadOnlyList<int> TwinCounts { get; private init; } = [10_000, 100_000];
    public bool Twins1M { get; private init; }

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
        };
    }

    private static int PositiveInt(string text, string option) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new FormatException($"{option} takes a positive whole number, not '{text}'");
}
