using k8s;
using k8s.Models;

namespace DigitalTwin.Deploy.Tests.Support;

/// <summary>One overlay, rendered and loaded with KubernetesClient's strict loader (unknown fields and wrong types throw).</summary>
public sealed class Rendered
{
    private static readonly Dictionary<string, Rendered> Cache = [];

    private Rendered(string overlay, IReadOnlyList<object> objects)
    {
        Overlay = overlay;
        Objects = objects;
    }

    public string Overlay { get; }

    public IReadOnlyList<object> Objects { get; }

    public V1Deployment Silo => Objects.OfType<V1Deployment>().Single(d => d.Metadata.Name == "digitaltwin-silo");

    public V1Container SiloContainer => Silo.Spec.Template.Spec.Containers.Single(c => c.Name == "silo");

    public V1ConfigMap Config => Objects.OfType<V1ConfigMap>().Single(c => c.Metadata.Name.StartsWith("digitaltwin-config", StringComparison.Ordinal));

    public IEnumerable<T> All<T>() => Objects.OfType<T>();

    public static Rendered Of(string overlay)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(overlay, out var rendered))
            {
                var yaml = Kubectl.Render(overlay);
                rendered = new Rendered(overlay, KubernetesYaml.LoadAllFromString(yaml, strict: true));
                Cache[overlay] = rendered;
            }

            return rendered;
        }
    }

    /// <summary>The value a container sees for <paramref name="name"/>: its own env first, then the ConfigMap it loads.</summary>
    public string? Setting(string name)
    {
        if (SiloContainer.Env?.FirstOrDefault(e => e.Name == name) is { } env)
        {
            return env.Value ?? $"<from {(env.ValueFrom?.FieldRef?.FieldPath ?? env.ValueFrom?.SecretKeyRef?.Name)}>";
        }

        return Config.Data.TryGetValue(name, out var value) ? value : null;
    }
}
