using DigitalTwin.Deploy.Tests.Support;
using DigitalTwin.Gateway.Diagnostics;
using DigitalTwin.Gateway.Mqtt;
using DigitalTwin.ServiceDefaults;
using DigitalTwin.Silo;
using k8s.Models;
using Orleans.Hosting.Kubernetes;

namespace DigitalTwin.Deploy.Tests;

/// <summary>
/// Every overlay of <c>deploy/</c>, rendered by <c>kubectl kustomize</c> and loaded with KubernetesClient's strict loader,
/// checked against the app itself: ports, probe paths, option keys and Orleans' variable names come from the app's code.
/// </summary>
public sealed class ManifestTests
{
    private const string ExternalMode = nameof(MqttMode.External);

    public static TheoryData<string> Overlays => [.. Kubectl.Overlays];

    [KubectlTheory]
    [MemberData(nameof(Overlays))]
    public void Every_overlay_renders_and_loads_strictly_with_the_objects_a_silo_needs(string overlay)
    {
        var rendered = Rendered.Of(overlay);

        Assert.Single(rendered.All<V1Deployment>());
        Assert.Single(rendered.All<V1ServiceAccount>());
        Assert.Single(rendered.All<V1Role>());
        Assert.Single(rendered.All<V1RoleBinding>());
        Assert.Single(rendered.All<V1PodDisruptionBudget>());
        Assert.Single(rendered.All<V1NetworkPolicy>());
        Assert.Single(rendered.All<V1ConfigMap>());
        Assert.Contains(rendered.All<V1Service>(), s => s.Metadata.Name == "digitaltwin-http");
        Assert.Equal(overlay != "dev", rendered.All<V2HorizontalPodAutoscaler>().Any());
        Assert.Equal(overlay != "external-broker", rendered.All<V1Service>().Any(s => s.Metadata.Name == "digitaltwin-mqtt"));
    }

    [KubectlTheory]
    [MemberData(nameof(Overlays))]
    public void The_silo_gets_every_variable_Orleans_Kubernetes_hosting_reads_from_the_downward_API(string overlay)
    {
        var rendered = Rendered.Of(overlay);
        var env = rendered.SiloContainer.Env.ToDictionary(e => e.Name);
        var expected = new Dictionary<string, string>
        {
            [KubernetesHostingOptions.PodNameEnvironmentVariable] = "metadata.name",
            [KubernetesHostingOptions.PodNamespaceEnvironmentVariable] = "metadata.namespace",
            [KubernetesHostingOptions.PodIPEnvironmentVariable] = "status.podIP",
            [KubernetesHostingOptions.ServiceIdEnvironmentVariable] = $"metadata.labels['{KubernetesHostingOptions.ServiceIdLabel}']",
            [KubernetesHostingOptions.ClusterIdEnvironmentVariable] = $"metadata.labels['{KubernetesHostingOptions.ClusterIdLabel}']",
        };

        Assert.Equal(expected.Keys.Order(), Silo.Kubernetes.PodHosting.RequiredVariables.Order());
        foreach (var (name, fieldPath) in expected)
        {
            Assert.True(env.TryGetValue(name, out var variable), $"{overlay}: {name} is not set");
            Assert.Equal(fieldPath, variable.ValueFrom?.FieldRef?.FieldPath);
        }
    }

    [KubectlTheory]
    [MemberData(nameof(Overlays))]
    public void The_pods_carry_the_service_and_cluster_id_labels_Orleans_matches_silos_by(string overlay)
    {
        var labels = Rendered.Of(overlay).Silo.Spec.Template.Metadata.Labels;

        Assert.False(string.IsNullOrWhiteSpace(labels[KubernetesHostingOptions.ServiceIdLabel]));
        Assert.False(string.IsNullOrWhiteSpace(labels[KubernetesHostingOptions.ClusterIdLabel]));
        // The service id names the data (reminders are stored under it): the same in every overlay.
        Assert.Equal(new SiloOptions().ServiceId, labels[KubernetesHostingOptions.ServiceIdLabel]);
    }

    [KubectlTheory]
    [MemberData(nameof(Overlays))]
    public void The_silo_may_get_list_watch_and_patch_pods_and_nothing_more(string overlay)
    {
        var rendered = Rendered.Of(overlay);
        var role = Assert.Single(rendered.All<V1Role>());
        var binding = Assert.Single(rendered.All<V1RoleBinding>());
        var account = Assert.Single(rendered.All<V1ServiceAccount>());

        var rule = Assert.Single(role.Rules);
        Assert.Equal([""], rule.ApiGroups);
        Assert.Equal(["pods"], rule.Resources);
        Assert.Equal(["get", "list", "patch", "watch"], rule.Verbs.Order());
        Assert.Equal(role.Metadata.Name, binding.RoleRef.Name);
        Assert.Equal("Role", binding.RoleRef.Kind);
        var subject = Assert.Single(binding.Subjects);
        Assert.Equal(("ServiceAccount", account.Metadata.Name), (subject.Kind, subject.Name));
        Assert.Equal(account.Metadata.Name, rendered.Silo.Spec.Template.Spec.ServiceAccountName);
    }

    [KubectlTheory]
    [MemberData(nameof(Overlays))]
    public void Probes_ask_the_apps_own_health_paths_on_its_http_port(string overlay)
    {
        var rendered = Rendered.Of(overlay);
        var container = rendered.SiloContainer;
        var appHttpPort = new Uri(SiloHost.DefaultUrls).Port;

        Assert.Equal(SiloHost.DefaultUrls, rendered.Setting("Urls"));
        Assert.Equal(ServiceDefaultsExtensions.LivenessPath, container.LivenessProbe.HttpGet.Path);
        Assert.Equal(ServiceDefaultsExtensions.ReadinessPath, container.ReadinessProbe.HttpGet.Path);
        Assert.Equal(ServiceDefaultsExtensions.ReadinessPath, container.StartupProbe.HttpGet.Path);
        foreach (var probe in new[] { container.LivenessProbe, container.ReadinessProbe, container.StartupProbe })
        {
            Assert.Equal(appHttpPort, PortNumber(container, probe.HttpGet.Port));
        }
    }

    [KubectlTheory]
    [MemberData(nameof(Overlays))]
    public void Container_ports_are_the_apps_ports(string overlay)
    {
        var rendered = Rendered.Of(overlay);
        var ports = rendered.SiloContainer.Ports.ToDictionary(p => p.Name, p => p.ContainerPort);
        var silo = new SiloOptions();

        Assert.Equal(new Uri(SiloHost.DefaultUrls).Port, ports["http"]);
        Assert.Equal(silo.SiloPort, ports["silo"]);
        Assert.Equal(silo.GatewayPort, ports["gateway"]);
        Assert.Equal(silo.SiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture), rendered.Setting("Orleans__SiloPort"));
        Assert.Equal(silo.GatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture), rendered.Setting("Orleans__GatewayPort"));
        if (overlay == "external-broker")
        {
            Assert.Equal(ExternalMode, rendered.Setting("Mqtt__Mode"));
            Assert.DoesNotContain("mqtt", ports.Keys);
            return;
        }

        Assert.Equal(new MqttOptions().Port, ports["mqtt"]);
        Assert.Equal(ports["mqtt"].ToString(System.Globalization.CultureInfo.InvariantCulture), rendered.Setting("Mqtt__Port"));
        if (overlay == "prod")
        {
            Assert.Equal(new MqttTlsOptions().Port, ports["mqtt-tls"]);
        }
    }

    [KubectlTheory]
    [MemberData(nameof(Overlays))]
    public void Services_reach_the_silo_pods_on_ports_the_container_declares(string overlay)
    {
        var rendered = Rendered.Of(overlay);
        var podLabels = rendered.Silo.Spec.Template.Metadata.Labels;
        var declared = rendered.SiloContainer.Ports.Select(p => p.Name).ToHashSet();

        foreach (var service in rendered.All<V1Service>())
        {
            Assert.All(service.Spec.Selector, s => Assert.Equal(s.Value, podLabels[s.Key]));
            Assert.All(service.Spec.Ports, p => Assert.Contains(p.TargetPort.Value, declared));
        }
    }

    [KubectlTheory]
    [MemberData(nameof(Overlays))]
    public void No_image_is_latest_or_untagged(string overlay)
    {
        var images = Rendered.Of(overlay).Silo.Spec.Template.Spec.Containers.Select(c => c.Image).ToList();

        Assert.All(images, image =>
        {
            var name = image.Contains('@', StringComparison.Ordinal) ? image[..image.IndexOf('@', StringComparison.Ordinal)] : image;
            var colon = name.LastIndexOf(':');
            Assert.True(image.Contains('@', StringComparison.Ordinal) || (colon > name.LastIndexOf('/') && colon > 0), $"{image} has no tag");
            Assert.NotEqual("latest", colon > 0 ? name[(colon + 1)..] : "");
        });
    }

    [KubectlTheory]
    [MemberData(nameof(Overlays))]
    public void The_silo_runs_as_a_non_root_user_on_a_read_only_root_filesystem(string overlay)
    {
        var pod = Rendered.Of(overlay).Silo.Spec.Template.Spec;

        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.NotEqual(0, pod.SecurityContext.RunAsUser);
        Assert.All(pod.Containers, c =>
        {
            Assert.True(c.SecurityContext.ReadOnlyRootFilesystem);
            Assert.False(c.SecurityContext.AllowPrivilegeEscalation);
            Assert.Equal(["ALL"], c.SecurityContext.Capabilities.Drop);
            // The only writable path: an emptyDir on /tmp, where TMPDIR and HOME point.
            Assert.Equal(["/tmp"], c.VolumeMounts.Where(m => m.ReadOnlyProperty != true).Select(m => m.MountPath));
        });
    }

    [KubectlTheory]
    [MemberData(nameof(Overlays))]
    public void Every_container_requests_cpu_and_memory_and_limits_memory_above_its_request(string overlay)
    {
        Assert.All(Rendered.Of(overlay).Silo.Spec.Template.Spec.Containers, c =>
        {
            Assert.True(c.Resources.Requests["cpu"].ToDecimal() > 0);
            var request = c.Resources.Requests["memory"].ToDecimal();
            var limit = c.Resources.Limits["memory"].ToDecimal();
            Assert.True(request > 0 && limit >= request, $"{overlay}: memory request {request}, limit {limit}");
        });
    }

    [KubectlTheory]
    [MemberData(nameof(Overlays))]
    public void The_disruption_budget_and_the_autoscaler_select_the_silo_pods(string overlay)
    {
        var rendered = Rendered.Of(overlay);
        var podLabels = rendered.Silo.Spec.Template.Metadata.Labels;
        var pdb = Assert.Single(rendered.All<V1PodDisruptionBudget>());

        Assert.All(pdb.Spec.Selector.MatchLabels, l => Assert.Equal(l.Value, podLabels[l.Key]));
        Assert.Equal(rendered.Silo.Spec.Selector.MatchLabels, pdb.Spec.Selector.MatchLabels);
        foreach (var hpa in rendered.All<V2HorizontalPodAutoscaler>())
        {
            Assert.Equal(("apps/v1", "Deployment", rendered.Silo.Metadata.Name), (hpa.Spec.ScaleTargetRef.ApiVersion, hpa.Spec.ScaleTargetRef.Kind, hpa.Spec.ScaleTargetRef.Name));
            Assert.Contains(hpa.Spec.Metrics, m => m.Resource?.Name == "cpu");
            Assert.True(hpa.Spec.MinReplicas >= 3, $"{overlay}: a cluster of fewer than 3 silos cannot vote a dead one out");
            var sessions = hpa.Spec.Metrics.Where(m => m.Type == "Pods").Select(m => m.Pods.Metric.Name).ToList();
            // The silo's gauge as Prometheus names it; there is none in external mode (no broker in the silo).
            Assert.Equal(overlay == "external-broker" ? [] : [GatewayMetrics.SessionsInstrument.Replace('.', '_')], sessions);
        }
    }

    [KubectlTheory]
    [MemberData(nameof(Overlays))]
    public void The_host_stops_within_the_pods_grace_period_and_drains_inside_it(string overlay)
    {
        var rendered = Rendered.Of(overlay);
        var grace = rendered.Silo.Spec.Template.Spec.TerminationGracePeriodSeconds!.Value;
        var shutdown = int.Parse(rendered.Setting("shutdownTimeoutSeconds")!, System.Globalization.CultureInfo.InvariantCulture);
        var deregistration = TimeSpan.Parse(rendered.Setting("Drain__DeregistrationDelay")!, System.Globalization.CultureInfo.InvariantCulture);

        Assert.True(shutdown + 5 <= grace, $"{overlay}: shutdownTimeoutSeconds {shutdown} leaves no margin before terminationGracePeriodSeconds {grace}");
        Assert.True(deregistration.TotalSeconds * 3 < shutdown, $"{overlay}: the deregistration delay {deregistration} eats the stop budget {shutdown} s");
        Assert.Equal("Deployment", rendered.Silo.Kind);
        Assert.Equal(0, int.Parse(rendered.Silo.Spec.Strategy.RollingUpdate.MaxUnavailable.Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [KubectlTheory]
    [MemberData(nameof(Overlays))]
    public void Secrets_come_from_secret_references_never_from_literals(string overlay)
    {
        var rendered = Rendered.Of(overlay);
        var secretKeys = new[] { "Auth__SigningKey", "ConnectionStrings__Postgres", "Kafka__SaslPassword", "Mqtt__External__Password" };

        Assert.NotNull(rendered.SiloContainer.Env.Single(e => e.Name == "Auth__SigningKey").ValueFrom.SecretKeyRef);
        foreach (var key in secretKeys)
        {
            Assert.DoesNotContain(key, rendered.Config.Data.Keys);
            if (rendered.SiloContainer.Env.FirstOrDefault(e => e.Name == key) is { } env)
            {
                Assert.Null(env.Value);
                Assert.NotNull(env.ValueFrom.SecretKeyRef);
            }
        }
    }

    [KubectlFact]
    public void Dev_is_one_in_memory_silo_and_prod_is_a_postgres_cluster_with_tls_and_kafka()
    {
        var dev = Rendered.Of("dev");
        var prod = Rendered.Of("prod");
        var external = Rendered.Of("external-broker");

        Assert.Equal(1, dev.Silo.Spec.Replicas);
        Assert.Equal(SiloOptions.Localhost, dev.Setting("Orleans__Clustering"));
        Assert.Null(dev.Setting("ConnectionStrings__Postgres"));

        Assert.True(prod.Silo.Spec.Replicas >= 3);
        Assert.Equal(SiloOptions.AdoNet, prod.Setting("Orleans__Clustering"));
        Assert.Equal("digitaltwin-secrets", prod.SiloContainer.Env.Single(e => e.Name == "ConnectionStrings__Postgres").ValueFrom.SecretKeyRef.Name);
        Assert.False(string.IsNullOrEmpty(prod.Setting("Kafka__BootstrapServers")));
        var certificate = prod.Setting("Mqtt__Tls__CertificatePath")!;
        Assert.Contains(prod.SiloContainer.VolumeMounts, m => certificate.StartsWith(m.MountPath + "/", StringComparison.Ordinal) && m.ReadOnlyProperty == true);

        Assert.Equal(ExternalMode, external.Setting("Mqtt__Mode"));
        Assert.False(string.IsNullOrEmpty(external.Setting("Mqtt__External__Host")));
        Assert.Equal("1883", external.Setting("Mqtt__External__Port"));
        Assert.Null(external.Setting("Mqtt__Tls__CertificatePath"));
        Assert.Equal(SiloOptions.AdoNet, external.Setting("Orleans__Clustering"));
    }

    private static int PortNumber(V1Container container, IntOrString port) =>
        int.TryParse(port.Value, out var number) ? number : container.Ports.Single(p => p.Name == port.Value).ContainerPort;
}
