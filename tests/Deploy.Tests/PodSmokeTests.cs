using System.Globalization;
using System.Net;
using System.Reflection;
using DigitalTwin.Deploy.Tests.Support;
using DigitalTwin.ServiceDefaults;
using DigitalTwin.Silo;
using DigitalTwin.Testing;
using Npgsql;
using Orleans.Hosting.Kubernetes;
using Xunit.Abstractions;

namespace DigitalTwin.Deploy.Tests;

/// <summary>
/// The built silo as a plain process with a pod's environment (the downward API's variables, KUBERNETES_SERVICE_HOST)
/// and the Kubernetes API replaced by <see cref="KubernetesApiStub"/> through the test-only
/// <c>Orleans:KubernetesApiServer</c>, on a throwaway PostgreSQL (Kubernetes hosting runs beside AdoNet membership).
/// </summary>
public sealed class PodSmokeTests(ITestOutputHelper output)
{
    private const string Namespace = "digitaltwin-smoke";
    private const string PodName = "digitaltwin-silo-6d8f9c7b5-x2k4q";
    private const string PodIp = "127.0.0.1";
    private const string ServiceId = "digitaltwin";
    private const string SigningKey = "pod-smoke-test-signing-key-long-enough-for-hs256";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    private static readonly string SiloAssembly = typeof(PodSmokeTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "SiloAssembly").Value!;

    [Fact]
    public async Task A_silo_in_a_pod_labels_its_pod_watches_its_cluster_joins_as_the_pod_and_drains_on_SIGTERM()
    {
        var clusterId = "smoke-" + Guid.NewGuid().ToString("N")[..8];
        await using var postgres = await PostgresServer.StartAsync();
        var connectionString = await postgres.CreateDatabaseAsync("pod");
        await using var api = await KubernetesApiStub.StartAsync(Namespace, PodName, PodIp);
        var silo = SiloProcess.Start(1, SiloAssembly, ["--environment=Testing"], null, PodEnvironment(clusterId, connectionString, api.Address.ToString()));
        await using var _ = silo;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        await silo.Ready.WaitAsync(StartTimeout);
        using (var health = await http.GetAsync(new Uri(silo.BaseAddress, ServiceDefaultsExtensions.LivenessPath)))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        var readiness = await Poll.UntilAsync(
            async () =>
            {
                using var response = await http.GetAsync(new Uri(silo.BaseAddress, ServiceDefaultsExtensions.ReadinessPath));
                return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
            },
            r => r.StatusCode == HttpStatusCode.OK,
            StartTimeout,
            "the silo is ready");
        Assert.Contains("1 active silo", readiness.Body, StringComparison.Ordinal);

        // What Orleans' Kubernetes hosting asked of the API server: its pod, a merge patch of the two labels, the
        // cluster's pods by those labels, then a watch on them.
        var podPath = $"/api/v1/namespaces/{Namespace}/pods/{PodName}";
        var selector = $"{KubernetesHostingOptions.ServiceIdLabel}={ServiceId},{KubernetesHostingOptions.ClusterIdLabel}={clusterId}";
        var requests = await Poll.UntilAsync(
            () => Task.FromResult(api.Requests.ToList()),
            r => r.Any(q => q.Query.Contains("watch=true", StringComparison.Ordinal)),
            StartTimeout,
            "the silo watches its cluster's pods",
            describe: r => string.Join("; ", r));
        output.WriteLine("Requests to the API stub:" + Environment.NewLine + string.Join(Environment.NewLine, requests));

        Assert.Contains(requests, r => r.Method == "GET" && r.Path == podPath);
        var patch = Assert.Single(requests, r => r.Method == "PATCH");
        Assert.Equal(podPath, patch.Path);
        Assert.Equal("application/merge-patch+json", patch.ContentType?.Split(';')[0]);
        Assert.Contains($"\"{KubernetesHostingOptions.ClusterIdLabel}\": \"{clusterId}\"", patch.Body, StringComparison.Ordinal);
        Assert.Contains($"\"{KubernetesHostingOptions.ServiceIdLabel}\": \"{ServiceId}\"", patch.Body, StringComparison.Ordinal);
        Assert.Contains(requests, r => r.Method == "GET" && r.Path == $"/api/v1/namespaces/{Namespace}/pods"
            && WebUtility.UrlDecode(r.Query).Contains("labelSelector=" + selector, StringComparison.Ordinal));
        Assert.DoesNotContain(requests, r => r.Method == "DELETE");

        // The silo joined the membership table as the pod, at the pod's IP.
        var member = await MemberAsync(connectionString, clusterId);
        Assert.Equal((PodName, PodIp, silo.SiloPort), (member.Name, member.Address, member.Port));

        silo.Terminate();
        await silo.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(45));
        output.WriteLine(silo.LogTail(20));
        Assert.Equal(0, silo.ExitCode);
        Assert.Contains("drained and stopped", silo.LogTail(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silo_in_a_pod_without_the_downward_API_stops_at_once_naming_what_is_missing()
    {
        var environment = PodEnvironment("smoke-missing", "Host=127.0.0.1;Port=1;Username=nobody", "http://127.0.0.1:1/");
        environment.Remove(KubernetesHostingOptions.PodIPEnvironmentVariable);
        var silo = SiloProcess.Start(1, SiloAssembly, ["--environment=Testing"], null, environment);
        await using var _ = silo;

        await silo.WaitForExitAsync(CancellationToken.None).WaitAsync(StartTimeout);

        Assert.Equal(1, silo.ExitCode);
        Assert.Contains($"downward-API variable(s) {KubernetesHostingOptions.PodIPEnvironmentVariable} are not set", silo.LogTail(), StringComparison.Ordinal);
    }

    private static Dictionary<string, string> PodEnvironment(string clusterId, string connectionString, string apiServer) => new()
    {
        ["KUBERNETES_SERVICE_HOST"] = "127.0.0.1",
        ["KUBERNETES_SERVICE_PORT"] = "443",
        [KubernetesHostingOptions.PodNameEnvironmentVariable] = PodName,
        [KubernetesHostingOptions.PodNamespaceEnvironmentVariable] = Namespace,
        [KubernetesHostingOptions.PodIPEnvironmentVariable] = PodIp,
        [KubernetesHostingOptions.ClusterIdEnvironmentVariable] = clusterId,
        [KubernetesHostingOptions.ServiceIdEnvironmentVariable] = ServiceId,
        ["Orleans__Clustering"] = SiloOptions.AdoNet,
        ["Orleans__KubernetesApiServer"] = apiServer,
        ["ConnectionStrings__Postgres"] = connectionString,
        ["Auth__SigningKey"] = SigningKey,
    };

    private static async Task<(string Name, string Address, int Port)> MemberAsync(string connectionString, string clusterId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT siloname, address, port FROM orleansmembershiptable WHERE deploymentid = @cluster AND status = 3", connection);
        command.Parameters.AddWithValue("cluster", clusterId);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"no active silo of {clusterId} in the membership table");
        return (reader.GetString(0), reader.GetString(1), reader.GetInt32(2));
    }
}
