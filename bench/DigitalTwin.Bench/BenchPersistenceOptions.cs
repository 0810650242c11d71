using DigitalTwin.Persistence;
using Microsoft.Extensions.Configuration;

namespace DigitalTwin.Bench;

/// <summary>
/// The persistence options the write-behind scenarios use: the defaults, with any <c>Persistence__*</c> environment
/// variable applied as the silo would apply it, so that one build can compare a setting against another in the same
/// session (for example <c>Persistence__SnapshotWriteConnections=1</c> for batch after batch).
/// </summary>
internal static class BenchPersistenceOptions
{
    public static PostgresPersistenceOptions FromEnvironment()
    {
        var options = new PostgresPersistenceOptions();
        new ConfigurationBuilder().AddEnvironmentVariables().Build().GetSection(PostgresPersistenceOptions.SectionName).Bind(options);
        return options;
    }
}
