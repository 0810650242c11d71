using System.Net;
using k8s;
using Microsoft.Extensions.Options;
using Orleans.Hosting.Kubernetes;

namespace DigitalTwin.Silo.Kubernetes;

/// <summary>
/// The silo in a Kubernetes pod: Orleans' Kubernetes hosting (<c>UseKubernetesHosting</c>) on top of the AdoNet
/// membership, with the pod's name, namespace and IP and the cluster and service ids taken from the downward API
/// (the environment variables <see cref="KubernetesHostingOptions"/> names). On when the process runs in a pod
/// (<c>KUBERNETES_SERVICE_HOST</c> is set, as the kubelet does in every container) with <c>Orleans:Clustering=AdoNet</c>,
/// unless <c>Orleans:Kubernetes=false</c>; <c>Orleans:Kubernetes=true</c> forces it. A single silo with Localhost
/// clustering (the dev overlay) has no use for it and runs without it.
/// </summary>
public static class PodHosting
{
    /// <summary>Set by the kubelet in every container: this process runs in a pod.</summary>
    public const string ServiceHostVariable = "KUBERNETES_SERVICE_HOST";

    /// <summary>The environment in which <see cref="SiloOptions.KubernetesApiServer"/> is honoured: tests only.</summary>
    public const string TestingEnvironment = "Testing";

    /// <summary>The downward-API variables Orleans' Kubernetes hosting reads; every one must be set in a pod.</summary>
    public static IReadOnlyList<string> RequiredVariables { get; } =
    [
        KubernetesHostingOptions.PodNameEnvironmentVariable,
        KubernetesHostingOptions.PodNamespaceEnvironmentVariable,
        KubernetesHostingOptions.PodIPEnvironmentVariable,
        KubernetesHostingOptions.ClusterIdEnvironmentVariable,
        KubernetesHostingOptions.ServiceIdEnvironmentVariable,
    ];

    public static bool IsEnabled(IConfiguration configuration, SiloOptions silo) =>
        silo.Kubernetes ?? (!string.IsNullOrEmpty(configuration[ServiceHostVariable]) && silo.Clustering == SiloOptions.AdoNet);

    /// <summary>
    /// Checks the pod's environment and makes <paramref name="silo"/> agree with it: Orleans' hosting sets the cluster
    /// and service ids and the advertised address from these variables, so the rest of the silo (AdoNet membership, the
    /// start-up line) must use the same ones. Throws <see cref="OptionsValidationException"/> with one line naming what
    /// is missing.
    /// </summary>
    public static void ApplyPodEnvironment(IConfiguration configuration, IHostEnvironment environment, SiloOptions silo)
    {
        var failures = new List<string>();
        if (silo.Clustering != SiloOptions.AdoNet)
        {
            failures.Add("Orleans:Kubernetes needs Orleans:Clustering=AdoNet (Kubernetes hosting is not a membership provider)");
        }

        var missing = RequiredVariables.Where(v => string.IsNullOrWhiteSpace(configuration[v])).ToList();
        if (missing.Count > 0)
        {
            failures.Add($"Orleans:Kubernetes is on but the downward-API variable(s) {string.Join(", ", missing)} are not set (see deploy/base/silo.yaml)");
        }

        var podIp = configuration[KubernetesHostingOptions.PodIPEnvironmentVariable];
        if (!string.IsNullOrWhiteSpace(podIp) && !IPAddress.TryParse(podIp, out _))
        {
            failures.Add($"{KubernetesHostingOptions.PodIPEnvironmentVariable} must be an IP address, not '{podIp}'");
        }

        if (!string.IsNullOrEmpty(silo.KubernetesApiServer) && environment.EnvironmentName != TestingEnvironment)
        {
            failures.Add($"Orleans:KubernetesApiServer is a test setting, honoured only in the {TestingEnvironment} environment");
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(SiloOptions.SectionName, typeof(SiloOptions), failures);
        }

        Apply(configuration, silo);
    }

    /// <summary>The downward API's values over the section's: ids from the pod's labels, the pod IP as the silo's address.</summary>
    public static void Apply(IConfiguration configuration, SiloOptions silo)
    {
        silo.ClusterId = configuration[KubernetesHostingOptions.ClusterIdEnvironmentVariable] ?? silo.ClusterId;
        silo.ServiceId = configuration[KubernetesHostingOptions.ServiceIdEnvironmentVariable] ?? silo.ServiceId;
        silo.AdvertisedIPAddress = configuration[KubernetesHostingOptions.PodIPEnvironmentVariable] ?? silo.AdvertisedIPAddress;
    }

    /// <summary>Orleans' Kubernetes hosting; in tests, against the stub API server <see cref="SiloOptions.KubernetesApiServer"/>.</summary>
    public static void Use(ISiloBuilder orleans, SiloOptions silo)
    {
        if (string.IsNullOrEmpty(silo.KubernetesApiServer))
        {
            orleans.UseKubernetesHosting();
            return;
        }

        var server = silo.KubernetesApiServer;
        orleans.UseKubernetesHosting(options => options.Configure(o =>
            o.GetClientConfiguration = () => new KubernetesClientConfiguration { Host = server }));
    }
}
