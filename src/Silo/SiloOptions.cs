using System.ComponentModel.DataAnnotations;

namespace DigitalTwin.Silo;

/// <summary>The <c>Orleans</c> section: how this silo finds the others.</summary>
public sealed class SiloOptions
{
    public const string SectionName = "Orleans";

    public const string Localhost = "Localhost";
    public const string AdoNet = "AdoNet";

    /// <summary>
    /// <c>Localhost</c>: a single silo on this machine (the embedded default). <c>AdoNet</c>: silos find each other
    /// through the membership table in <c>ConnectionStrings:Postgres</c>.
    /// </summary>
    [AllowedValues(Localhost, AdoNet, ErrorMessage = "Orleans:Clustering must be Localhost or AdoNet")]
    public string Clustering { get; set; } = Localhost;

    /// <summary>The address other silos reach this one on (AdoNet clustering); in Kubernetes, the pod IP.</summary>
    public string AdvertisedIPAddress { get; set; } = "127.0.0.1";

    [Range(1, 65535, ErrorMessage = "Orleans:SiloPort must be between 1 and 65535")]
    public int SiloPort { get; set; } = 11111;

    [Range(1, 65535, ErrorMessage = "Orleans:GatewayPort must be between 1 and 65535")]
    public int GatewayPort { get; set; } = 30000;

    public string ClusterId { get; set; } = "digitaltwin";

    public string ServiceId { get; set; } = "digitaltwin";

    /// <summary>
    /// Orleans' Kubernetes hosting (pod labels, pod watching; see <c>Kubernetes/PodHosting</c>). Unset: on in a pod
    /// (<c>KUBERNETES_SERVICE_HOST</c> set) with AdoNet clustering. In a pod the downward API's <c>POD_IP</c>,
    /// <c>ORLEANS_CLUSTER_ID</c> and <c>ORLEANS_SERVICE_ID</c> win over <see cref="AdvertisedIPAddress"/>,
    /// <see cref="ClusterId"/> and <see cref="ServiceId"/>.
    /// </summary>
    public bool? Kubernetes { get; set; }

    /// <summary>Tests only (environment <c>Testing</c>): the Kubernetes API server to talk to instead of the pod's.</summary>
    public string? KubernetesApiServer { get; set; }
}
