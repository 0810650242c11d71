using DigitalTwin.Deploy.Tests.Support;
using DigitalTwin.Gateway.Kafka;
using DigitalTwin.Gateway.Mqtt;
using DigitalTwin.Silo;
using DigitalTwin.Silo.Drain;
using Microsoft.Extensions.Configuration;

namespace DigitalTwin.Deploy.Tests;

/// <summary>The settings each overlay gives the silo, read as the silo reads them (Section__Key from the environment).</summary>
public sealed class SettingsTests
{
    /// <summary>Keys outside the app's option sections: the .NET host's, ASP.NET Core's, the process's.</summary>
    private static readonly HashSet<string> HostKeys = ["Urls", "shutdownTimeoutSeconds", "DOTNET_ENVIRONMENT", "HOME", "TMPDIR"];

    public static TheoryData<string> Overlays => [.. Kubectl.Overlays];

    [KubectlTheory]
    [MemberData(nameof(Overlays))]
    public void Every_setting_names_a_real_option_and_binds_to_its_type(string overlay)
    {
        var rendered = Rendered.Of(overlay);
        var settings = rendered.Config.Data
            .Concat(rendered.SiloContainer.Env.Where(e => e.Value is not null).Select(e => KeyValuePair.Create(e.Name, e.Value)))
            .Where(s => !HostKeys.Contains(s.Key))
            .ToDictionary(s => s.Key.Replace("__", ":", StringComparison.Ordinal), s => (string?)s.Value);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        Action<BinderOptions> strict = o => o.ErrorOnUnknownConfiguration = true;

        var known = new Dictionary<string, Action<IConfigurationSection>>
        {
            [MqttOptions.SectionName] = s => s.Get<MqttOptions>(strict),
            [SiloOptions.SectionName] = s => s.Get<SiloOptions>(strict),
            [DrainOptions.SectionName] = s => s.Get<DrainOptions>(strict),
            [KafkaOptions.SectionName] = s => s.Get<KafkaOptions>(strict),
        };
        foreach (var section in configuration.GetChildren())
        {
            Assert.True(known.TryGetValue(section.Key, out var bind), $"{overlay}: '{section.Key}' is not a section the silo reads");
            bind(section);
        }
    }
}
