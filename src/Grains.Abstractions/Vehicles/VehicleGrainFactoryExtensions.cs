namespace DigitalTwin.Grains.Abstractions.Vehicles;

/// <summary>
/// The way to a car's grain on hot paths. <c>GetGrain&lt;IVehicleGrain&gt;(vin)</c> resolves the interface's grain type
/// by reflection and type-name formatting on every call (about 2 KB of garbage and a few microseconds per message in
/// Orleans 10); this resolves it once and then only builds the id.
/// </summary>
public static class VehicleGrainFactoryExtensions
{
    // The resolution depends only on the loaded assemblies, so one per process is right for every factory in it.
    // A class, not a struct, so that a thread never reads half of it while another sets it.
    private static ResolvedTypes? s_types;

    /// <summary>The car's twin in the role the caller plays, e.g. <c>grains.GetVehicle&lt;IVehicleIngest&gt;(vin)</c>.</summary>
    public static TRole GetVehicle<TRole>(this IGrainFactory grains, string vin)
        where TRole : IVehicleRole =>
        (TRole)grains.GetVehicle(vin);

    /// <summary>The car's twin with every role; prefer <see cref="GetVehicle{TRole}"/> outside tests.</summary>
    public static IVehicleGrain GetVehicle(this IGrainFactory grains, string vin)
    {
        var types = s_types ??= Resolve(grains);
        return (IVehicleGrain)grains.GetGrain(GrainId.Create(types.GrainType, vin), types.InterfaceType);
    }

    private static ResolvedTypes Resolve(IGrainFactory grains)
    {
        var probe = (GrainReference)grains.GetGrain<IVehicleGrain>("type-probe");
        return new ResolvedTypes(probe.GrainId.Type, probe.InterfaceType);
    }

    private sealed record ResolvedTypes(GrainType GrainType, GrainInterfaceType InterfaceType);
}
