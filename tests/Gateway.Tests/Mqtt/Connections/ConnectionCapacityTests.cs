using DigitalTwin.Gateway.Mqtt.Connections;

namespace DigitalTwin.Gateway.Tests.Mqtt.Connections;

public sealed class ConnectionCapacityTests
{
    [Fact]
    public void The_default_leaves_the_reserve_and_what_is_in_use_and_keeps_a_band_for_refusals()
    {
        var capacity = ConnectionCapacity.Compute(configured: null, reserved: null, new DescriptorLimits(20_000, 20_000, 20_000), inUse: 400);

        // reserve = 20,000 / 8 clamped to 2,048; sockets = 20,000 - 400 - 2,048 = 17,552; band = 877.
        Assert.Equal(2_048, capacity.Reserved);
        Assert.Equal(17_552, capacity.MaxSockets);
        Assert.Equal(17_552 - 877, capacity.MaxConnections);
        Assert.True(capacity.Derived);
    }

    [Fact]
    public void A_low_limit_keeps_at_least_256_descriptors_for_the_rest_of_the_process()
    {
        var capacity = ConnectionCapacity.Compute(null, null, new DescriptorLimits(1_024, 1_024, 1_024), inUse: 350);

        Assert.Equal(256, capacity.Reserved);
        Assert.Equal(1_024 - 350 - 256, capacity.MaxSockets);
        Assert.Equal(capacity.MaxSockets - 20, capacity.MaxConnections);
    }

    [Fact]
    public void A_configured_maximum_below_the_budget_is_kept_with_its_band()
    {
        var capacity = ConnectionCapacity.Compute(configured: 3, reserved: null, new DescriptorLimits(20_000, 20_000, 20_000), inUse: 400);

        Assert.Equal(3, capacity.MaxConnections);
        Assert.Equal(3 + 877, capacity.MaxSockets);
        Assert.False(capacity.Capped);
    }

    [Fact]
    public void A_configured_maximum_above_the_budget_is_lowered_to_it()
    {
        var capacity = ConnectionCapacity.Compute(configured: 1_000_000, reserved: 100, new DescriptorLimits(1_024, 1_024, 4_096), inUse: 300);

        Assert.True(capacity.Capped);
        Assert.Equal(624 - 31, capacity.MaxConnections);
        Assert.Equal(624, capacity.MaxSockets);
    }

    [Fact]
    public void A_limit_that_leaves_no_room_stops_the_start_naming_the_keys()
    {
        var ex = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => ConnectionCapacity.Compute(null, null, new DescriptorLimits(512, 512, 512), inUse: 350));

        Assert.Contains("Mqtt:ReservedDescriptors", ex.Message);
        Assert.Contains("ulimit -n", ex.Message);
    }

    [Fact]
    public void Where_the_limit_is_unknown_the_configured_or_a_fixed_maximum_applies()
    {
        Assert.Equal(ConnectionCapacity.UnknownLimitDefault, ConnectionCapacity.Compute(null, null, null, null).MaxConnections);
        Assert.Equal(50, ConnectionCapacity.Compute(50, null, null, null).MaxConnections);
    }

    [Fact]
    public void On_Linux_the_soft_limit_is_raised_to_the_hard_one_and_descriptors_are_counted()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var limits = FileDescriptorLimit.RaiseSoftToHard();

        Assert.NotNull(limits);
        Assert.Equal(limits.Hard, limits.Soft);
        Assert.InRange(FileDescriptorLimit.CountOpen() ?? -1, 3, limits.Soft);
    }
}
