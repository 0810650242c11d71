using System.Globalization;
using System.Text;
using Confluent.Kafka;
using DigitalTwin.Cluster.Tests.Support;
using DigitalTwin.Testing;
using Npgsql;

namespace DigitalTwin.Cluster.Tests;

/// <summary>
/// Silo processes on PostgreSQL fed from Kafka (librdkafka's mock cluster, in a process of its own, which keeps its
/// committed offsets while silos die): a consuming silo killed with <c>kill -9</c> mid-stream, and a consumer group
/// that rebalances, lose nothing and apply nothing twice. Runs in the cluster collection, one test at a time.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class KafkaIngestClusterTests : IAsyncLifetime
{
    private const string TelemetryIn = "vehicle-telemetry-in";
    private const string EventsIn = "vehicle-events-in";
    private const int Cars = 100;
    private const int RecordsPerCar = 1_000;
    private const long Epoch = 1764028800000;

    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(3);

    private readonly string _runId = Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
    private readonly List<SiloProcess> _silos = [];
    private PostgresServer? _postgres;
    private KafkaMockCluster? _kafka;
    private string _connectionString = string.Empty;
    private int _nextSilo = 100;

    private string ClusterId => $"kafka-ingest-{_runId}";

    public async Task InitializeAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        _connectionString = await _postgres.CreateDatabaseAsync("kafka");
        _kafka = await KafkaMockCluster.StartAsync(new KafkaMockClusterOptions
        {
            Brokers = 1,
            Topics = new Dictionary<string, int>
            {
                [TelemetryIn] = 8, [EventsIn] = 2,
                ["vehicle-telemetry"] = 2, ["vehicle-events"] = 1, ["vehicle-twins"] = 1, ["vehicle-alerts"] = 1,
                ["vehicle-commands"] = 1, ["vehicle-dead-letter"] = 1,
            },
        });
    }

    public async Task DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }

        if (_kafka is not null)
        {
            await _kafka.DisposeAsync();
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_consuming_silo_killed_mid_stream_loses_no_record_and_its_successor_applies_none_twice()
    {
        var vins = Vins();
        ProduceFleet(vins, crashes: 10);
        var first = await StartSiloAsync();

        // Mid-stream: a good part applied and committed, most of it not.
        await Poll.UntilAsync(() => AppliedAsync(vins), n => n >= Cars * RecordsPerCar / 5, Deadline, "a fifth of the records is applied", TimeSpan.FromMilliseconds(200));
        first.Kill();

        var story = $"{first} killed";
        var second = await StartSiloAsync();
        await AssertEveryRecordAppliedOnceAsync(vins, crashes: 10, $"{story}, then {second}");
    }

    [Fact]
    public async Task Two_silos_share_the_partitions_and_a_rebalance_loses_nothing()
    {
        var vins = Vins();
        ProduceFleet(vins, crashes: 0);
        var first = await StartSiloAsync();
        await Poll.UntilAsync(() => AppliedAsync(vins), n => n >= Cars * RecordsPerCar / 10, Deadline, "a tenth of the records is applied", TimeSpan.FromMilliseconds(200));

        // The second silo joins: partitions move to it, the first drains and commits the ones it gives up.
        var second = await StartSiloAsync();
        await Poll.UntilAsync(
            () => AssignedAsync(second), n => n > 0, Deadline, $"{second} is assigned partitions", TimeSpan.FromMilliseconds(500),
            _ => $"{first}:{Environment.NewLine}{first.LogTail(40)}{Environment.NewLine}{second}:{Environment.NewLine}{second.LogTail(40)}");

        // Then the first leaves gracefully: the second takes every partition from the offsets the first committed.
        var story = $"{second} joined, then {first} stopped";
        await first.DisposeAsync();
        await AssertEveryRecordAppliedOnceAsync(vins, crashes: 0, story);
    }

    private string[] Vins() => Enumerable.Range(1, Cars)
        .Select(i => string.Create(CultureInfo.InvariantCulture, $"WDK{_runId}{i:D8}"))
        .ToArray();

    /// <summary>
    /// Every car's records in order, <c>Vehicle.TraveledDistance</c> = seq so that history counts how often each was
    /// applied; the first <paramref name="crashes"/> cars also deploy an airbag early on (one alert each, at most).
    /// </summary>
    private void ProduceFleet(string[] vins, int crashes)
    {
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = _kafka!.BootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 20,
        }).Build();
        for (var seq = 1; seq <= RecordsPerCar; seq++)
        {
            foreach (var vin in vins)
            {
                var value = string.Create(CultureInfo.InvariantCulture, $"{{\"ts\":{Epoch + (seq * 100)},\"seq\":{seq},\"signals\":{{\"Vehicle.Speed\":{seq % 150},\"Vehicle.TraveledDistance\":{seq}}}}}");
                Produce(producer, TelemetryIn, vin, value);
            }

            if (seq == 50)
            {
                foreach (var vin in vins.Take(crashes))
                {
                    Produce(producer, EventsIn, vin, string.Create(CultureInfo.InvariantCulture, $"{{\"ts\":{Epoch + 5_000},\"seq\":1,\"type\":\"AirbagDeployed\",\"data\":{{}}}}"));
                }
            }
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(60)));
    }

    private static void Produce(IProducer<string, byte[]> producer, string topic, string key, string value)
    {
        while (true)
        {
            try
            {
                producer.Produce(topic, new Message<string, byte[]> { Key = key, Value = Encoding.UTF8.GetBytes(value) });
                return;
            }
            catch (ProduceException<string, byte[]> ex) when (ex.Error.Code == Confluent.Kafka.ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(100));
            }
        }
    }

    private async Task<SiloProcess> StartSiloAsync()
    {
        var settings = ClusterFixture.SiloSettings(ClusterId, _connectionString, ClusterFixture.MembershipSettings);
        settings.AddRange(
        [
            $"--Kafka:BootstrapServers={_kafka!.BootstrapServers}",
            "--Kafka:Ingest:CommitInterval=00:00:00.200",
            "--Kafka:Consumer:session.timeout.ms=6000",
            "--Kafka:Consumer:heartbeat.interval.ms=500",
        ]);
        var silo = SiloProcess.Start(Interlocked.Increment(ref _nextSilo), ClusterFixture.LocateSiloAssembly(), settings);
        _silos.Add(silo);
        await silo.Ready.WaitAsync(ClusterFixture.StartTimeout);
        return silo;
    }

    private async Task AssertEveryRecordAppliedOnceAsync(string[] vins, int crashes, string story)
    {
        // Every twin durable at its last seq: nothing lost.
        await Poll.UntilAsync(
            () => LastSeqsAsync(vins),
            seqs => seqs.Count == Cars && seqs.Values.All(s => s == RecordsPerCar),
            Deadline,
            $"every twin is stored at seq {RecordsPerCar} ({story})",
            TimeSpan.FromMilliseconds(500),
            seqs => $"{seqs.Count} stored, {seqs.Values.Count(s => s == RecordsPerCar)} complete, lowest {(seqs.Count > 0 ? seqs.Values.Min() : -1)}");

        // Every sample in history exactly once: the per-car counter of applications.
        var counts = await Poll.UntilAsync(
            () => HistoryCountsAsync(vins),
            c => c.Count == Cars && c.Values.All(n => n >= RecordsPerCar),
            Deadline,
            $"history holds every sample ({story})",
            TimeSpan.FromMilliseconds(500),
            c => $"{c.Count} cars, lowest {(c.Count > 0 ? c.Values.Min() : -1)}");
        Assert.All(counts, c => Assert.True(c.Value == RecordsPerCar, $"{c.Key} has {c.Value} history samples of {RecordsPerCar}: applied twice ({story})"));

        var alerts = await AlertCountsAsync(vins);
        Assert.Equal(crashes, alerts.Count);
        Assert.All(alerts, a => Assert.True(a.Value == 1, $"{a.Key} has {a.Value} alerts for one crash ({story})"));
    }

    private async Task<long> AppliedAsync(string[] vins) =>
        (await LastSeqsAsync(vins)).Values.Sum();

    private Task<Dictionary<string, long>> LastSeqsAsync(string[] vins) =>
        CountsAsync("SELECT vin, last_telemetry_seq FROM vehicle_snapshots WHERE vin = ANY(@vins)", vins);

    private Task<Dictionary<string, long>> HistoryCountsAsync(string[] vins) =>
        CountsAsync("SELECT vin, count(*) FROM signal_history WHERE signal = 'Vehicle.TraveledDistance' AND vin = ANY(@vins) GROUP BY vin", vins);

    private Task<Dictionary<string, long>> AlertCountsAsync(string[] vins) =>
        CountsAsync("SELECT vin, count(*) FROM alerts WHERE vin = ANY(@vins) GROUP BY vin", vins);

    private async Task<Dictionary<string, long>> CountsAsync(string sql, string[] vins)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("vins", vins);
        var rows = new Dictionary<string, long>(StringComparer.Ordinal);
        try
        {
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows[reader.GetString(0)] = reader.GetInt64(1);
            }
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // The first silo has not created the schema yet.
        }

        return rows;
    }

    /// <summary>Partitions of the ingest topics the silo consumes, from its assignment gauge on <c>/metrics</c>.</summary>
    private static async Task<int> AssignedAsync(SiloProcess silo)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            var text = await http.GetStringAsync(new Uri(silo.BaseAddress, "/metrics"));
            return text.Split('\n')
                .Where(l => l.StartsWith("digitaltwin_kafka_consumer_assigned", StringComparison.Ordinal))
                .Sum(l => int.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }

}
