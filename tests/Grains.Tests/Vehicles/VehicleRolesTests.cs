using System.Reflection;
using System.Text.Json.Serialization;
using DigitalTwin.Contract;
using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Grains.Vehicles;

namespace DigitalTwin.Grains.Tests.Vehicles;

public sealed class VehicleRolesTests
{
    private static readonly Type[] Roles = typeof(IVehicleRole).Assembly.GetTypes()
        .Where(t => t.IsInterface && t != typeof(IVehicleRole) && typeof(IVehicleRole).IsAssignableFrom(t) && t != typeof(IVehicleGrain))
        .ToArray();

    [Fact]
    public void The_vehicle_grain_plays_every_role_so_any_role_can_be_asked_for()
    {
        Assert.NotEmpty(Roles);
        Assert.All(Roles, role => Assert.True(role.IsAssignableFrom(typeof(IVehicleGrain)), $"{role.Name} is not part of IVehicleGrain"));
        Assert.True(typeof(IVehicleGrain).IsAssignableFrom(typeof(VehicleGrain)));
    }

    [Fact]
    public void Every_method_of_the_twin_belongs_to_exactly_one_role()
    {
        var methods = Roles.SelectMany(r => r.GetMethods().Select(m => m.Name)).ToList();

        Assert.Equal(methods.Distinct().Count(), methods.Count);
        Assert.Empty(typeof(IVehicleGrain).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly));
    }

    [Fact]
    public void Every_member_of_an_enum_that_goes_on_a_wire_has_a_wire_name()
    {
        var wireEnums = new[] { typeof(IVehicleRole).Assembly, typeof(WireName).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => t.IsEnum && t.GetFields(BindingFlags.Public | BindingFlags.Static).Any(f => f.IsDefined(typeof(JsonStringEnumMemberNameAttribute))))
            .ToList();

        Assert.NotEmpty(wireEnums);
        Assert.All(
            wireEnums.SelectMany(e => e.GetFields(BindingFlags.Public | BindingFlags.Static)),
            field => Assert.True(field.IsDefined(typeof(JsonStringEnumMemberNameAttribute)), $"{field.DeclaringType!.Name}.{field.Name} has no wire name"));
    }
}
