using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using DigitalTwin.Security;
using DigitalTwin.Testing;
using Npgsql;

namespace DigitalTwin.Cluster.Tests.Support;

/// <summary>
/// One throwaway PostgreSQL and a cluster of <see cref="Size"/> silo processes on it (ADO.NET membership, write-behind
/// snapshots), shared by the tests of <see cref="ClusterCollection"/>. A test that kills silos leaves them dead; the next
/// test calls <see cref="EnsureFullStrengthAsync"/>, which starts replacements, so tests do not depend on their order.
/// </summary>
public sealed partial class ClusterFixture : IAsyncLifetime
{
    public const int Size = 3;

    public const string SigningKey = "cluster-test-signing-key-long-enough-for-hs256";

    /// <summary>Set to <c>orleans-defaults</c> to run the silos with Orleans' own failure-detection settings.</summary>
    public const string MembershipVariable = "DIGITALTWIN_CLUSTER_TEST_MEMBERSHIP";

    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(200);

    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    /// <summary>
    /// Faster failure detection than Orleans' defaults, still tolerant of a loaded two-core machine: a silo is suspected
    /// after three missed probes two seconds apart and declared dead on two votes (both survivors of a three-silo
    /// cluster). With one-second probes and two misses, a silo stalled for two seconds at a load average of 20 (CI with
    /// other work on the machine) was declared dead while its process lived on, and the fixture waited for it in vain.
    /// </summary>
    private static readonly (string Key, string Value)[] FastMembership =
    [
        ("ProbeTimeout", "00:00:02"),
        ("MinProbeTimeout", "00:00:02"),
        ("NumMissedProbesLimit", "3"),
        ("NumVotesForDeathDeclaration", "2"),
        ("TableRefreshTimeout", "00:00:05"),
        ("IAmAliveTablePublishTimeout", "00:00:05"),
        ("DeathVoteExpirationTimeout", "00:00:30"),
    ];

    private readonly List<SiloProcess> _silos = [];
    private readonly Lock _silosGate = new();
    private readonly TokenIssuer _tokens = new(SigningKey);
    private readonly string _runId = Guid.NewGuid().ToString("N")[..8];
    private PostgresServer? _postgres;
    private int _nextSiloNumber;
    private int _nextVin;

    public string ClusterId => $"cluster-tests-{_runId}";

    /// <summary>The database the silos share; the tests read <c>vehicle_snapshots</c> from it with plain SQL.</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    public string SiloAssembly { get; } = LocateSiloAssembly();

    /// <summary>An operator's client; the same token is valid on every silo.</summary>
    public HttpClient Operator { get; private set; } = null!;

    public IReadOnlyList<(string Key, string Value)> Membership { get; } = MembershipSettings;

    /// <summary>Fast failure detection, unless <see cref="MembershipVariable"/> asks for Orleans' defaults.</summary>
    public static IReadOnlyList<(string Key, string Value)> MembershipSettings { get; } =
        string.Equals(Environment.GetEnvironmentVariable(MembershipVariable), "orleans-defaults", StringComparison.OrdinalIgnoreCase) ? [] : FastMembership;

    public string MembershipDescription => Membership.Count == 0
        ? "Orleans defaults"
        : string.Join(", ", Membership.Select(m => $"{m.Key}={m.Value}"));

    public IReadOnlyList<SiloProcess> Live
    {
        get
        {
            lock (_silosGate)
            {
                return [.. _silos.Where(s => !s.HasExited)];
            }
        }
    }

    public async Task InitializeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        try
        {
            if (!File.Exists(SiloAssembly))
            {
                throw new InvalidOperationException($"The silo is not built at {SiloAssembly}; build src/Silo first.");
            }

            _postgres = await PostgresServer.StartAsync();
            ConnectionString = await _postgres.CreateDatabaseAsync("cluster");
            Operator = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            Operator.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _tokens.Mint("ops-cluster", Roles.Operator, TimeSpan.FromHours(4)));
            await EnsureFullStrengthAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        List<SiloProcess> silos;
        lock (_silosGate)
        {
            silos = [.. _silos];
            _silos.Clear();
        }

        // Every silo goes, even if one of them refuses to: the database must not be left with clients either.
        var failures = new List<Exception>();
        foreach (var silo in silos)
        {
            try
            {
                await silo.DisposeAsync();
            }
            catch (Exception ex)
            {
                failures.Add(ex);
            }
        }

        Operator?.Dispose();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
            _postgres = null;
        }

        if (failures.Count > 0)
        {
            throw new AggregateException("Stopping the silos failed", failures);
        }
    }

    /// <summary>
    /// Starts silos until <see cref="Size"/> are running, then waits until each has logged its ready line, answers
    /// <c>/readyz</c> with every silo active, and the membership table agrees.
    /// </summary>
    public async Task EnsureFullStrengthAsync()
    {
        var started = new List<SiloProcess>();
        for (var attempt = 1; ; attempt++)
        {
            started.Clear();
            for (var missing = Size - Live.Count; missing > 0; missing--)
            {
                started.Add(StartSilo());
            }

            try
            {
                await Task.WhenAll(started.Select(s => s.Ready)).WaitAsync(StartTimeout);
                break;
            }
            catch (InvalidOperationException) when (attempt < 3 && started.Any(LostItsPort))
            {
                // A free port is picked by binding to port 0 and letting it go; another test process running at the same
                // time may take it before the silo binds it. That silo exits; another one starts on other ports.
            }
            catch (TimeoutException)
            {
                throw NotReady(started);
            }
        }

        await WaitUntilActiveAsync(Live, Size, StartTimeout);
        await Poll.UntilAsync(ActiveSilosInTableAsync, n => n == Size, StartTimeout, $"the membership table lists {Size} active silos of {ClusterId}");

        static bool LostItsPort(SiloProcess silo) =>
            silo.HasExited && silo.LogTail(300).Contains("address already in use", StringComparison.OrdinalIgnoreCase);
    }

    private static InvalidOperationException NotReady(List<SiloProcess> started) => new(
        $"Not every silo logged \"{SiloProcess.ReadyLine}\" within {StartTimeout}:{Environment.NewLine}" +
        string.Join(Environment.NewLine, started.Where(s => !s.Ready.IsCompleted).Select(s => $"{s}:{Environment.NewLine}{s.LogTail()}")));

    /// <summary>Waits until every one of <paramref name="silos"/> reports <paramref name="expected"/> active silos.</summary>
    public Task WaitUntilActiveAsync(IEnumerable<SiloProcess> silos, int expected, TimeSpan timeout) =>
        Task.WhenAll(silos.Select(silo => Poll.UntilAsync(
            () => ReadinessAsync(silo),
            r => r.Status == HttpStatusCode.OK && r.ActiveSilos == expected,
            timeout,
            $"{silo} reports {expected} active silos")));

    public async Task<Readiness> ReadinessAsync(SiloProcess silo)
    {
        try
        {
            using var response = await Operator.GetAsync(new Uri(silo.BaseAddress, "/readyz"));
            var body = await response.Content.ReadAsStringAsync();
            using var json = JsonDocument.Parse(body);
            var checks = json.RootElement.GetProperty("checks");
            var orleans = checks.TryGetProperty("orleans", out var o) ? o.GetProperty("description").GetString() ?? string.Empty : string.Empty;
            var postgres = checks.TryGetProperty("postgres", out var p) ? p.GetProperty("status").GetString() ?? string.Empty : string.Empty;
            var active = ActiveSilos().Match(orleans) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
            return new Readiness(response.StatusCode, json.RootElement.GetProperty("status").GetString() ?? string.Empty, active, postgres, orleans);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
        {
            return new Readiness(0, ex.Message, -1, string.Empty, string.Empty);
        }
    }

    /// <summary>Rows of this cluster in Orleans' membership table with status Active (3).</summary>
    public async Task<long> ActiveSilosInTableAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM orleansmembershiptable WHERE deploymentid = @cluster AND status = 3", connection);
        command.Parameters.AddWithValue("cluster", ClusterId);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The stored snapshot of each of <paramref name="vins"/> that has one, as another system would read it.</summary>
    public async Task<IReadOnlyDictionary<string, StoredSnapshot>> SnapshotsAsync(IEnumerable<string> vins)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT vin, version, last_telemetry_seq,
                   (signals -> 'Vehicle.Speed' ->> 'value')::float8,
                   (signals -> 'Vehicle.Speed' ->> 'ts')::bigint
            FROM vehicle_snapshots WHERE vin = ANY(@vins)
            """,
            connection);
        command.Parameters.AddWithValue("vins", vins.ToArray());
        var rows = new Dictionary<string, StoredSnapshot>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows[reader.GetString(0)] = new StoredSnapshot(
                reader.GetInt64(1),
                reader.GetInt64(2),
                reader.IsDBNull(3) ? null : reader.GetDouble(3),
                reader.IsDBNull(4) ? null : reader.GetInt64(4));
        }

        return rows;
    }

    /// <summary>
    /// How many vehicle twins are activated on <paramref name="silo"/>, from Orleans' gauge on <c>/metrics</c>
    /// (<c>orleans_catalog_activations{grain_type="vehicle"}</c>).
    /// </summary>
    public async Task<int> VehicleActivationsAsync(SiloProcess silo)
    {
        var text = await Operator.GetStringAsync(new Uri(silo.BaseAddress, "/metrics"));
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("orleans_catalog_activations{", StringComparison.Ordinal) && line.Contains("grain_type=\"vehicle\"", StringComparison.Ordinal))
            {
                return (int)double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    public Task<TwinView> ReadTwinAsync(SiloProcess silo, string vin) => TwinView.ReadAsync(Operator, silo, vin);

    /// <summary>A client holding a person's token (role <c>user</c>) for <paramref name="subject"/>.</summary>
    public HttpClient Person(string subject)
    {
        var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _tokens.Mint(subject, Roles.User, TimeSpan.FromHours(1)));
        return client;
    }

    /// <summary>A car with a VIN no other test of this run uses, holding a vehicle token for it.</summary>
    public Car NewCar()
    {
        // WDC + 6 hex digits of the run + 8 digits: 17 characters of the ISO 3779 alphabet.
        var vin = string.Create(CultureInfo.InvariantCulture, $"WDC{_runId[..6].ToUpperInvariant()}{Interlocked.Increment(ref _nextVin):D8}");
        return new Car(vin, _tokens.Mint(vin, Roles.Vehicle, TimeSpan.FromHours(4)));
    }

    public string Describe() => string.Join(Environment.NewLine, Live.Select(s => s.ToString()));

    /// <summary>
    /// Starts one more silo of this cluster beyond <see cref="Size"/> (a scale-out); the test that calls it stops one
    /// again, or <see cref="StopExtraSilosAsync"/> does, so that the next test finds <see cref="Size"/> silos.
    /// </summary>
    public SiloProcess AddSilo() => StartSilo();

    /// <summary>Kills the newest silos until no more than <see cref="Size"/> run.</summary>
    public async Task StopExtraSilosAsync()
    {
        foreach (var extra in Live.Reverse().Take(Math.Max(0, Live.Count - Size)).ToList())
        {
            await extra.DisposeAsync();
        }
    }

    private SiloProcess StartSilo()
    {
        var number = Interlocked.Increment(ref _nextSiloNumber);
        var silo = SiloProcess.Start(number, SiloAssembly, SiloSettings(ClusterId, ConnectionString, Membership));
        lock (_silosGate)
        {
            _silos.Add(silo);
        }

        return silo;
    }

    /// <summary>What every silo of a test cluster runs with: AdoNet membership on the shared database, fast failure detection.</summary>
    public static List<string> SiloSettings(string clusterId, string connectionString, IEnumerable<(string Key, string Value)> membership)
    {
        var settings = new List<string>
        {
            "--environment=Testing",
            "--Orleans:Clustering=AdoNet",
            $"--Orleans:ClusterId={clusterId}",
            $"--ConnectionStrings:Postgres={connectionString}",
            $"--Auth:SigningKey={SigningKey}",
            "--Persistence:FlushInterval=" + FlushInterval.ToString("c", CultureInfo.InvariantCulture),
            // The failover test polls every twin through every survivor; the per-caller limit is not under test here.
            "--Api:RequestsPerSecond=10000",
            "--Api:RequestBurst=10000",
            // As in the Kubernetes manifests, shorter: unready and refusing new cars for a second before the drain
            // disconnects the cars, so a load balancer that polls readiness has dropped the silo by then.
            "--Drain:DeregistrationDelay=00:00:01",
            // The host's stop budget of the manifests (deploy/base/configmap.yaml), not .NET's default of 30 s.
            "--shutdownTimeoutSeconds=45",
        };
        settings.AddRange(membership.Select(m => $"--Orleans:Membership:{m.Key}={m.Value}"));
        return settings;
    }

    private void OnProcessExit(object? sender, EventArgs e)
    {
        lock (_silosGate)
        {
            foreach (var silo in _silos)
            {
                silo.KillNow();
            }
        }
    }

    /// <summary>Where the build put DigitalTwin.Silo.dll, recorded in this assembly by the project file.</summary>
    public static string LocateSiloAssembly()
    {
        var recorded = typeof(ClusterFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "SiloAssembly")?.Value;
        return string.IsNullOrWhiteSpace(recorded)
            ? throw new InvalidOperationException("The build did not record where DigitalTwin.Silo.dll is (see RecordSiloAssembly in Cluster.Tests.csproj).")
            : recorded;
    }

    [GeneratedRegex(@"(\d+) active silo")]
    private static partial Regex ActiveSilos();
}

/// <summary>One silo's <c>/readyz</c>: its status and what the <c>orleans</c> and <c>postgres</c> checks say.</summary>
public sealed record Readiness(HttpStatusCode Status, string Overall, int ActiveSilos, string Postgres, string OrleansDescription);

/// <summary>One row of <c>vehicle_snapshots</c>.</summary>
public sealed record StoredSnapshot(long Version, long LastTelemetrySeq, double? Speed, long? SpeedTs);
