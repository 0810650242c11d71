using System.Globalization;
using DigitalTwin.Deploy.Tests.Support;
using DigitalTwin.Gateway.Mqtt;
using DigitalTwin.Silo;

namespace DigitalTwin.Deploy.Tests;

/// <summary>The repository's Dockerfile, read as text, against the manifests and the app.</summary>
public sealed class ImageTests
{
    private static readonly string[] Lines = File.ReadAllLines(Path.Combine(Kubectl.DeployDirectory, "..", "Dockerfile"));

    [Fact]
    public void The_image_builds_from_official_dotnet_images_by_default_and_lets_the_bases_be_replaced()
    {
        Assert.Contains("ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0", Lines);
        Assert.Contains("ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0", Lines);
        var stages = Lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        Assert.Equal(["FROM ${SDK_IMAGE} AS build", "FROM ${RUNTIME_IMAGE} AS runtime"], stages);
    }

    [Fact]
    public void The_runtime_stage_runs_the_silo_as_the_non_root_user_the_manifests_require()
    {
        var runtime = Lines.SkipWhile(l => !l.StartsWith("FROM ${RUNTIME_IMAGE}", StringComparison.Ordinal)).ToList();
        var user = runtime.Single(l => l.StartsWith("USER ", StringComparison.Ordinal))["USER ".Length..].Split(':');
        Assert.NotEqual("0", user[0]);
        Assert.Contains("ENTRYPOINT [\"dotnet\", \"/app/DigitalTwin.Silo.dll\"]", runtime);
        Assert.DoesNotContain(runtime, l => l.Contains("dotnet publish", StringComparison.Ordinal) || l.Contains("dotnet restore", StringComparison.Ordinal));

        if (Kubectl.Path is not null)
        {
            var pod = Rendered.Of("prod").Silo.Spec.Template.Spec.SecurityContext;
            Assert.Equal(user[0], pod.RunAsUser?.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(user[1], pod.RunAsGroup?.ToString(CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void The_image_exposes_the_apps_ports()
    {
        var exposed = Lines.Single(l => l.StartsWith("EXPOSE ", StringComparison.Ordinal))["EXPOSE ".Length..].Split(' ').Select(int.Parse).ToHashSet();
        var silo = new SiloOptions();

        Assert.Equal(
            new HashSet<int> { new Uri(SiloHost.DefaultUrls).Port, new MqttOptions().Port, new MqttTlsOptions().Port, silo.SiloPort, silo.GatewayPort },
            exposed);
    }
}
