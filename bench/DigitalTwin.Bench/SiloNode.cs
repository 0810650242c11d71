using System.Globalization;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using DigitalTwin.Security;
using DigitalTwin.Testing;

namespace DigitalTwin.Bench;

/// <summary>
/// A silo as an operator runs it, in a process of its own (<see cref="SiloProcess"/>: <c>dotnet DigitalTwin.Silo.dll</c>
/// on free loopback ports), so that the load generator in the bench's process shares no runtime, thread pool or GC
/// with it. Reads its <c>/metrics</c> and <c>/readyz</c> with an operator token.
/// </summary>
public sealed partial class SiloNode : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly IDisposable _cleanup;

    private SiloNode(SiloProcess process, HttpClient http)
    {
        Process = process;
        _http = http;
        _cleanup = Janitor.Register(process.ToString(), process.KillNow);
    }

    public SiloProcess Process { get; }

    public int MqttPort => Process.MqttPort;

    public int GatewayPort => Process.GatewayPort;

    /// <summary>Where the build put DigitalTwin.Silo.dll, recorded in this assembly by the project file.</summary>
    public static string Assembly { get; } = LocateSiloAssembly();

    /// <summary>What every silo of the bench runs with: production settings, the bench's signing key, warnings only (and the ready line).</summary>
    public static List<string> BaseSettings(string signingKey) =>
    [
        "--environment=Production",
        $"--Auth:SigningKey={signingKey}",
        "--Logging:LogLevel:Default=Warning",
        "--Logging:LogLevel:DigitalTwin.Silo.StartupBanner=Information",
    ];

    /// <summary>Starts the process and returns once it logged its ready line.</summary>
    public static async Task<SiloNode> StartAsync(int number, IEnumerable<string> settings, TokenIssuer tokens, TimeSpan timeout, CancellationToken cancel)
    {
        if (!File.Exists(Assembly))
        {
            throw new InvalidOperationException($"The silo is not built at {Assembly}; build bench/DigitalTwin.Bench (it builds src/Silo).");
        }

        var process = SiloProcess.Start(number, Assembly, settings);
        var http = new HttpClient { BaseAddress = process.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Mint("bench-operator", Roles.Operator, TimeSpan.FromHours(4)));
        var node = new SiloNode(process, http);
        try
        {
            await process.Ready.WaitAsync(timeout, cancel);
            return node;
        }
        catch (TimeoutException)
        {
            var tail = process.LogTail();
            await node.DisposeAsync();
            throw new InvalidOperationException($"{process} did not log \"{SiloProcess.ReadyLine}\" within {timeout}:{Environment.NewLine}{tail}");
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    public async Task<PrometheusScrape> ScrapeAsync(CancellationToken cancel)
    {
        try
        {
            return PrometheusScrape.Parse(await _http.GetStringAsync(new Uri("/metrics", UriKind.Relative), cancel));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancel.IsCancellationRequested)
        {
            return PrometheusScrape.Empty;
        }
    }

    /// <summary>Active silos of its cluster, as its <c>/readyz</c> <c>orleans</c> check says; -1 when it does not answer.</summary>
    public async Task<int> ActiveSilosAsync(CancellationToken cancel)
    {
        try
        {
            using var response = await _http.GetAsync(new Uri("/readyz", UriKind.Relative), cancel);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancel));
            var description = json.RootElement.GetProperty("checks").TryGetProperty("orleans", out var orleans)
                ? orleans.GetProperty("description").GetString() ?? string.Empty
                : string.Empty;
            return ActiveSilos().Match(description) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException && !cancel.IsCancellationRequested)
        {
            return -1;
        }
    }

    public override string ToString() => Process.ToString();

    /// <summary><c>kill -9</c>, as <see cref="SiloProcess"/> stops a silo: what is measured is over by then.</summary>
    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Process.DisposeAsync();
        _cleanup.Dispose();
    }

    private static string LocateSiloAssembly()
    {
        var recorded = typeof(SiloNode).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "SiloAssembly")?.Value;
        return string.IsNullOrWhiteSpace(recorded)
            ? throw new InvalidOperationException("The build did not record where DigitalTwin.Silo.dll is (see RecordSiloAssembly in DigitalTwin.Bench.csproj).")
            : recorded;
    }

    [GeneratedRegex(@"(\d+) active silo")]
    private static partial Regex ActiveSilos();
}
