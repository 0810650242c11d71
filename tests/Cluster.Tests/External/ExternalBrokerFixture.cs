using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using DigitalTwin.Cluster.Tests.Support;
using DigitalTwin.Security;
using DigitalTwin.Testing;

namespace DigitalTwin.Cluster.Tests.External;

/// <summary>
/// Debian's Mosquitto, one throwaway PostgreSQL and two silo processes in <c>Mqtt:Mode=External</c> on one shared
/// subscription. Each silo has a fixed instance name, so a silo started again after <c>kill -9</c> resumes the
/// broker session of the one that died.
/// </summary>
public sealed class ExternalBrokerFixture : IAsyncLifetime
{
    public const int Size = 2;

    private readonly TokenIssuer _tokens = new(ClusterFixture.SigningKey);
    private readonly string _runId = Guid.NewGuid().ToString("N")[..8];
    private readonly SiloProcess?[] _silos = new SiloProcess?[Size];
    private PostgresServer? _postgres;
    private string _connectionString = string.Empty;
    private int _nextSiloNumber;
    private int _nextVin;

    public MosquittoBroker Broker { get; private set; } = null!;

    public HttpClient Operator { get; private set; } = null!;

    public string SiloAssembly { get; } = ClusterFixture.LocateSiloAssembly();

    /// <summary>The silo started in slot 0 or 1 (the slot is its instance name at the broker).</summary>
    public SiloProcess Silo(int slot) => _silos[slot] ?? throw new InvalidOperationException($"no silo in slot {slot}");

    public IEnumerable<SiloProcess> Live => _silos.Where(s => s is { HasExited: false })!;

    public async Task InitializeAsync()
    {
        try
        {
            Broker = await MosquittoBroker.StartAsync();
            _postgres = await PostgresServer.StartAsync();
            _connectionString = await _postgres.CreateDatabaseAsync("external");
            Operator = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            Operator.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _tokens.Mint("ops-external", Roles.Operator, TimeSpan.FromHours(4)));
            await Task.WhenAll(Enumerable.Range(0, Size).Select(StartAsync));
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            if (silo is not null)
            {
                await silo.DisposeAsync();
            }
        }

        Operator?.Dispose();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        if (Broker is not null)
        {
            await Broker.DisposeAsync();
        }
    }

    /// <summary>Starts the silo of <paramref name="slot"/> (again, after a kill) and waits until it is subscribed.</summary>
    public async Task StartAsync(int slot)
    {
        if (_silos[slot] is { } old)
        {
            await old.DisposeAsync();
        }

        var settings = ClusterFixture.SiloSettings($"external-tests-{_runId}", _connectionString, ClusterFixture.MembershipSettings);
        settings.AddRange(
        [
            "--Mqtt:Mode=External",
            "--Mqtt:External:Host=127.0.0.1",
            string.Create(CultureInfo.InvariantCulture, $"--Mqtt:External:Port={Broker.Port}"),
            string.Create(CultureInfo.InvariantCulture, $"--Mqtt:External:InstanceName=test-{_runId}-{slot}"),
            // A failed grain call is retried briefly, then the broker is asked to deliver again: failover in the tests.
            "--Mqtt:External:RetryFor=00:00:05",
            "--Mqtt:External:ReconnectDelay=00:00:00.2",
        ]);
        var silo = SiloProcess.Start(Interlocked.Increment(ref _nextSiloNumber), SiloAssembly, settings);
        _silos[slot] = silo;
        await silo.Ready.WaitAsync(ClusterFixture.StartTimeout);
        await Poll.UntilAsync(() => BrokerCheckAsync(silo), s => s == "Healthy", ClusterFixture.StartTimeout, $"{silo} is subscribed to the broker");
    }

    /// <summary>The status of the <c>mqtt</c> check on <c>/readyz</c>: Healthy once subscribed, Degraded while not connected.</summary>
    public async Task<string> BrokerCheckAsync(SiloProcess silo) => (await BrokerReadinessAsync(silo)).Status;

    /// <summary>The <c>mqtt</c> check of <c>/readyz</c>: its status and description.</summary>
    public async Task<(string Status, string Description)> BrokerReadinessAsync(SiloProcess silo)
    {
        try
        {
            using var response = await Operator.GetAsync(new Uri(silo.BaseAddress, "/readyz"));
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var check = json.RootElement.GetProperty("checks").GetProperty("mqtt");
            return (check.GetProperty("status").GetString() ?? "", check.GetProperty("description").GetString() ?? "");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
        {
            return (ex.GetType().Name, ex.Message);
        }
    }

    /// <summary>A VIN no other test of this run uses.</summary>
    public string NewVin() =>
        string.Create(CultureInfo.InvariantCulture, $"WDX{_runId[..6].ToUpperInvariant()}{Interlocked.Increment(ref _nextVin):D8}");

    /// <summary>A counter of the silo's <c>/metrics</c>: the sum of the series whose labels contain every one of <paramref name="labels"/>.</summary>
    public async Task<double> CounterAsync(SiloProcess silo, string name, params string[] labels)
    {
        var text = await Operator.GetStringAsync(new Uri(silo.BaseAddress, "/metrics"));
        double sum = 0;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(name + "{", StringComparison.Ordinal) && labels.All(l => line.Contains(l, StringComparison.Ordinal)))
            {
                sum += double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return sum;
    }
}

[CollectionDefinition(Name)]
public sealed class ExternalBrokerCollection : ICollectionFixture<ExternalBrokerFixture>
{
    public const string Name = "ExternalBroker";
}
