using System.Diagnostics;
using System.Reflection;

namespace DigitalTwin.Deploy.Tests.Support;

/// <summary><c>kubectl kustomize</c> on the repository's <c>deploy/</c>: renders offline, no cluster needed.</summary>
public static class Kubectl
{
    public static readonly string[] Overlays = ["dev", "prod", "external-broker"];

    /// <summary>kubectl on PATH, or null. .ci/run installs it on a machine without one.</summary>
    public static string? Path { get; } = Find();

    public static string DeployDirectory { get; } = typeof(Kubectl).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "DeployDirectory").Value!;

    public static string Render(string overlay)
    {
        var kubectl = Path ?? throw new InvalidOperationException("kubectl is not on PATH");
        var start = new ProcessStartInfo(kubectl)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("kustomize");
        start.ArgumentList.Add(System.IO.Path.Combine(DeployDirectory, "overlays", overlay));
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill();
            throw new TimeoutException($"kubectl kustomize {overlay} took over a minute");
        }

        Assert.True(process.ExitCode == 0, $"kubectl kustomize deploy/overlays/{overlay} failed ({process.ExitCode}): {stderr.Result}");
        return stdout.Result;
    }

    private static string? Find()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = System.IO.Path.Combine(directory, "kubectl");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

/// <summary>A theory over the overlays that needs kubectl; skipped, saying so, where it is missing (.ci/run installs it).</summary>
public sealed class KubectlTheoryAttribute : TheoryAttribute
{
    public KubectlTheoryAttribute()
    {
        if (Kubectl.Path is null)
        {
            Skip = "kubectl is not on PATH: install it (.ci/run does) to render deploy/ with kubectl kustomize";
        }
    }
}

/// <summary>A fact that needs kubectl; skipped, saying so, where it is missing.</summary>
public sealed class KubectlFactAttribute : FactAttribute
{
    public KubectlFactAttribute()
    {
        if (Kubectl.Path is null)
        {
            Skip = "kubectl is not on PATH: install it (.ci/run does) to render deploy/ with kubectl kustomize";
        }
    }
}
