namespace DigitalTwin.Grains.Abstractions.Vehicles;

/// <summary>Names of the Orleans stream that carries a vehicle's live changes from its grain to API nodes.</summary>
public static class VehicleStreams
{
    public const string ProviderName = "vehicles";
    public const string Namespace = "vehicle";

    /// <summary>How long a <see cref="IVehicleTwin.Watch"/> keeps the grain publishing; watchers renew well before.</summary>
    public static readonly TimeSpan WatchLease = TimeSpan.FromSeconds(30);
}
