using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Telemetry;
using DigitalTwin.Grains.FleetQuery;

namespace DigitalTwin.Grains.Tests.FleetQuery;

public sealed class FleetFilterTests
{
    private static readonly Dictionary<string, SignalReading> Twin = new()
    {
        [SignalCatalogue.StateOfCharge] = new(SignalValue.FromNumber(15), 1),
        [SignalCatalogue.Speed] = new(SignalValue.FromNumber(0), 1),
        [SignalCatalogue.IsCharging] = new(SignalValue.FromBoolean(false), 1),
        ["Vehicle.LowVoltageSystemState"] = new(SignalValue.FromText("OFF"), 1),
    };

    private static FleetFilter Parse(string text)
    {
        Assert.True(FleetFilter.TryParse(text, out var filter, out var error), error);
        return filter;
    }

    [Theory]
    [InlineData("Vehicle.Powertrain.TractionBattery.StateOfCharge.Current<20", true)]
    [InlineData("Vehicle.Powertrain.TractionBattery.StateOfCharge.Current <= 15", true)]
    [InlineData("Vehicle.Powertrain.TractionBattery.StateOfCharge.Current>15", false)]
    [InlineData("Vehicle.Powertrain.TractionBattery.StateOfCharge.Current<20 and Vehicle.Speed==0", true)]
    [InlineData("Vehicle.Powertrain.TractionBattery.StateOfCharge.Current<20 AND Vehicle.Speed>0", false)]
    [InlineData("Vehicle.Powertrain.TractionBattery.Charging.IsCharging=false", true)]
    [InlineData("Vehicle.Powertrain.TractionBattery.Charging.IsCharging!=true", true)]
    [InlineData("Vehicle.LowVoltageSystemState='OFF'", true)]
    [InlineData("Vehicle.LowVoltageSystemState != \"ON\"", true)]
    [InlineData("Vehicle.Cabin.Door.Row1.DriverSide.IsLocked=true", false)]
    [InlineData("Vehicle.Speed >= -1e1", true)]
    public void A_well_formed_filter_matches_the_twins_it_describes(string text, bool matches) =>
        Assert.Equal(matches, Parse(text).Matches(Twin));

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("Speed<20", "not a VSS path")]
    [InlineData("Vehicle.Speed", "expected <")]
    [InlineData("Vehicle.Speed<", "expected a value")]
    [InlineData("Vehicle.Speed<fast", "expected a number")]
    [InlineData("Vehicle.Speed<20 or Vehicle.Speed>100", "only 'and'")]
    [InlineData("Vehicle.Speed<20 and", "expected a VSS path")]
    [InlineData("Vehicle.Speed<20 Vehicle.Speed>1", "expected 'and'")]
    [InlineData("Vehicle.LowVoltageSystemState<'OFF'", "only be compared with = or !=")]
    [InlineData("Vehicle.Speed='fast'", "is a number")]
    [InlineData("Vehicle.Powertrain.TractionBattery.Charging.IsCharging=1", "is a boolean")]
    [InlineData("Vehicle.LowVoltageSystemState='OFF", "not closed")]
    [InlineData("Vehicle.Speed<NaN", "expected a number")]
    [InlineData("Vehicle.Speed<1e999", "expected a number")]
    public void A_malformed_filter_is_refused_with_a_reason_that_says_what_is_wrong(string text, string reason)
    {
        Assert.False(FleetFilter.TryParse(text, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_huge_filter_is_refused_by_its_length_before_it_is_read()
    {
        var huge = string.Join(" and ", Enumerable.Repeat("Vehicle.Speed<20", 10_000));

        Assert.False(FleetFilter.TryParse(huge, out _, out var error));
        Assert.Contains("longer than", error, StringComparison.Ordinal);
    }

    [Fact]
    public void More_predicates_than_the_bound_are_refused()
    {
        var many = string.Join(" and ", Enumerable.Repeat("Vehicle.Speed<20", FleetFilter.MaxPredicates + 1));

        Assert.False(FleetFilter.TryParse(many, out _, out var error));
        Assert.Contains("more than", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Vehicle.Speed<20; DROP TABLE vehicle_snapshots;--")]
    [InlineData("Vehicle.Speed<20' OR '1'='1")]
    [InlineData("((((((Vehicle.Speed<20))))))")]
    [InlineData("Vehicle.Speed<20 and (Vehicle.Speed>1 and (Vehicle.Speed>2))")]
    [InlineData("Vehicle.Speed\u0000<20")]
    [InlineData("Vehicle.LowVoltageSystemState='\u0007bell'")]
    [InlineData("Vehicle..Speed<20")]
    [InlineData("Vehicle.Spe\u0435d<20")]
    public void Hostile_filters_are_refused_without_harm(string text) =>
        Assert.False(FleetFilter.TryParse(text, out _, out _));

    [Fact]
    public void A_filter_on_a_signal_the_twin_never_reported_matches_nothing() =>
        Assert.False(Parse("Vehicle.Body.Trunk.Rear.IsOpen=true").Matches(Twin));
}
