using System.Globalization;
using DigitalTwin.Security;
using DigitalTwin.Testing;

namespace DigitalTwin.Bench.Outside;

/// <summary>
/// The silo as a user starts it (<c>dotnet DigitalTwin.Silo.dll</c>, Release, Production settings), each silo in a
/// process of its own (<see cref="SiloNode"/>): one with in-memory storage, or a cluster on PostgreSQL (AdoNet
/// membership, snapshots and history there too) when given a server. Received = the silos' own <c>/metrics</c> count
/// of telemetry applied to twins; the loss check reads every car's twin back through an Orleans client.
/// </summary>
public sealed class TwinProcessTarget(string signingKey, int siloCount = 1, PostgresServer? postgres = null) : IOutsideTarget
{
    private const string LocalClusterId = "digitaltwin";
    private const string ServiceId = "digitaltwin";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private static int _nextSilo;
    private static int _nextCluster;

    private readonly List<SiloNode> _silos = [];
    private string _clusterId = LocalClusterId;

    public string Name => "digitaltwin";

    public string Description => postgres is null
        ? "telemetry applied to twins (PUBACK after the twin applied it), the silo in a process of its own, in-memory storage"
        : F($"telemetry applied to twins, {siloCount} silo process(es) clustered through PostgreSQL (AdoNet), snapshots and history in PostgreSQL");

    public int[] Ports => _silos.Select(s => s.MqttPort).ToArray();

    public async Task StartAsync(CancellationToken cancel)
    {
        var settings = SiloNode.BaseSettings(signingKey);
        if (postgres is not null)
        {
            var cluster = Interlocked.Increment(ref _nextCluster);
            _clusterId = F($"bench-outside-{Environment.ProcessId}-{cluster}");
            var connectionString = await postgres.CreateDatabaseAsync(F($"outside_{cluster}_{siloCount}"), cancel);
            settings.AddRange(["--Orleans:Clustering=AdoNet", $"--Orleans:ClusterId={_clusterId}", $"--ConnectionStrings:Postgres={connectionString}"]);
        }

        var tokens = new TokenIssuer(signingKey);
        var starting = Enumerable.Range(0, siloCount)
            .Select(_ => SiloNode.StartAsync(Interlocked.Increment(ref _nextSilo), settings, tokens, StartTimeout, cancel))
            .ToList();
        try
        {
            await Task.WhenAll(starting);
        }
        finally
        {
            // Whatever started is stopped by DisposeAsync, also when another one failed to.
            _silos.AddRange(starting.Where(s => s.IsCompletedSuccessfully).Select(s => s.Result));
        }

        if (siloCount > 1)
        {
            // Every silo must see the whole cluster before cars arrive, or twins pile onto the first silos.
            var deadline = DateTime.UtcNow + StartTimeout;
            while ((await Task.WhenAll(_silos.Select(s => s.ActiveSilosAsync(cancel)))).Any(n => n != siloCount))
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException(F($"the {siloCount} silos did not all see each other within {StartTimeout}"));
                }

                await Task.Delay(250, cancel);
            }
        }
    }

    public async ValueTask<long> ReceivedAsync(CancellationToken cancel)
    {
        var scrapes = await Task.WhenAll(_silos.Select(s => s.ScrapeAsync(cancel)));
        return (long)scrapes.Sum(s => s.Sum("digitaltwin_mqtt_messages_total", ("topic", "telemetry"), ("outcome", "applied")));
    }

    public async Task<LossCheck?> VerifyAsync(GeneratorResult generated, CancellationToken cancel)
    {
        var vins = Enumerable.Range(1, generated.LastSeqs.Length).Select(n => Fleet.VinOf("WBENCH", n)).ToList();
        var seqs = await TwinSeqReader.ReadAsync(_silos.Select(s => s.GatewayPort), _clusterId, ServiceId, vins, cancel);
        var behind = 0;
        long missing = 0;
        for (var i = 0; i < vins.Count; i++)
        {
            var held = seqs.GetValueOrDefault(vins[i]);
            if (held < generated.LastSeqs[i])
            {
                behind++;
                missing += generated.LastSeqs[i] - held;
            }
        }

        if (behind > 0 || generated.Failed > 0)
        {
            // What the silos said is the first thing anyone asks for when a loss check fails or publishes failed.
            foreach (var silo in _silos)
            {
                Console.Error.WriteLine(F($"--- {silo} (last lines of its log) ---{Environment.NewLine}{silo.Process.LogTail(300)}"));
            }
        }

        return new LossCheck(vins.Count, behind, missing);
    }

    /// <summary>
    /// With PostgreSQL: waits (up to two minutes) until history has written every sample it accepted, then reads
    /// what it accepted, dropped and what the gateway refused while history was full. Null with in-memory storage.
    /// </summary>
    public async Task<HistoryCheck?> HistoryAsync(CancellationToken cancel)
    {
        if (postgres is null)
        {
            return null;
        }

        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var scrapes = await Task.WhenAll(_silos.Select(s => s.ScrapeAsync(cancel)));
            long Total(string name, params (string, string)[] labels) => (long)scrapes.Sum(s => s.Sum(name, labels));
            var check = new HistoryCheck(
                Total("digitaltwin_persistence_history_appended_total"),
                Total("digitaltwin_persistence_history_written_total"),
                Total("digitaltwin_persistence_history_dropped_total"),
                Total("digitaltwin_mqtt_messages_total", ("topic", "telemetry"), ("outcome", "deferred")),
                Math.Round(waited.Elapsed.TotalSeconds, 1));
            if (check.Written + check.Dropped >= check.Appended || waited.Elapsed > TimeSpan.FromMinutes(2))
            {
                return check;
            }

            // Polling the writers' own counters until they caught up, with a deadline.
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancel);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }

        _silos.Clear();
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
