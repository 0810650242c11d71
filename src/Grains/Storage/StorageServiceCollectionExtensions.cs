using DigitalTwin.Grains.Abstractions.Vehicles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DigitalTwin.Grains.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// The embedded default: every storage seam in this process's memory. Twins survive deactivation, not a restart.
    /// A host calls this or the PostgreSQL layer's <c>AddPostgresStorage()</c>, never both.
    /// </summary>
    public static IServiceCollection AddInMemoryStorage(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ITwinSnapshotStore, InMemoryTwinSnapshotStore>();
        // One history serves both seams: what the grains append is what the API reads.
        services.AddSingleton<InMemorySignalHistory>();
        services.AddSingleton<ISignalHistoryWriter>(provider => provider.GetRequiredService<InMemorySignalHistory>());
        services.AddSingleton<ISignalHistoryReader>(provider => provider.GetRequiredService<InMemorySignalHistory>());
        services.AddSingleton<IVehicleRegistry, InMemoryVehicleRegistry>();
        services.AddSingleton<IAlertStore, InMemoryAlertStore>();
        services.AddSingleton<ICommandStore, InMemoryCommandStore>();
        services.AddSingleton<ITripStore, InMemoryTripStore>();
        // Not storage, but a seam every twin needs as well: a host with Kafka replaces it (AddKafka).
        services.TryAddSingleton<IVehicleChangeFeed>(NoVehicleChangeFeed.Instance);
        return services;
    }
}
