using DigitalTwin.Grains.Storage;
using Microsoft.Extensions.Hosting;

namespace DigitalTwin.Persistence;

public static class StorageSelection
{
    /// <summary>
    /// The one place storage is chosen: PostgreSQL (<see cref="PersistenceExtensions.AddPostgresStorage"/>) when
    /// <c>ConnectionStrings:Postgres</c> is set, memory (<see cref="StorageServiceCollectionExtensions.AddInMemoryStorage"/>)
    /// otherwise. Each seam is registered once, by the storage chosen.
    /// </summary>
    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Configuration.IsPostgresConfigured())
        {
            return builder.AddPostgresStorage();
        }

        builder.Services.AddInMemoryStorage();
        return builder;
    }
}
