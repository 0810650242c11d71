using System.ComponentModel.DataAnnotations;

namespace DigitalTwin.Grains.FleetQuery;

/// <summary>The fleet index and the cost bound of a fleet query (<c>FleetQuery:*</c>).</summary>
public sealed class FleetQueryOptions
{
    public const string SectionName = "FleetQuery";

    /// <summary>
    /// Partitions of the index (grains, spread over the silos). A query asks each once, in parallel, so its cost is
    /// (twins / partitions) entries scanned per partition. Default 16. Every silo of a cluster must use the same value.
    /// </summary>
    [Range(1, 1024, ErrorMessage = "FleetQuery:Partitions must be between 1 and 1024")]
    public int Partitions { get; set; } = 16;

    /// <summary>A person's vehicles a query considers at most (read from the registry first). Default 1000.</summary>
    [Range(1, 100_000, ErrorMessage = "FleetQuery:MaxOwnerVehicles must be between 1 and 100000")]
    public int MaxOwnerVehicles { get; set; } = 1000;

    /// <summary>The partition of a VIN: a stable hash (not string.GetHashCode, which differs per process).</summary>
    public static int PartitionOf(string vin, int partitions)
    {
        uint hash = 2166136261;
        foreach (var c in vin)
        {
            hash = (hash ^ c) * 16777619;
        }

        return (int)(hash % (uint)partitions);
    }
}
