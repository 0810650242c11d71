using System.ComponentModel.DataAnnotations;

namespace DigitalTwin.Grains.Preconditioning;

/// <summary>Settings of <see cref="PreconditioningPlanner"/>.</summary>
public sealed class PreconditioningOptions
{
    public const string SectionName = "Preconditioning";

    /// <summary>Lead for a cabin already at its target. Default 10 min: air, seats and glass need a while even then.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "02:00:00", ErrorMessage = "Preconditioning:BaseLead must be between 0 and 2 hours")]
    public TimeSpan BaseLead { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Extra minutes per degree Celsius between the cabin and the target, heating or cooling. Default 1: a heat pump or
    /// air conditioner moves a typical cabin by about a degree a minute.
    /// </summary>
    [Range(0.0, 10.0, ErrorMessage = "Preconditioning:MinutesPerDegree must be between 0 and 10")]
    public double MinutesPerDegree { get; set; } = 1.0;

    /// <summary>Outside temperature, in Celsius, below which <see cref="DeepColdExtraLead"/> is added. Default -10.</summary>
    [Range(-60.0, 10.0, ErrorMessage = "Preconditioning:DeepColdBelowC must be between -60 and 10")]
    public double DeepColdBelowC { get; set; } = -10.0;

    /// <summary>Extra lead in deep cold. Default 10 min: ice on the glass and a cold-soaked battery heat slowly.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "02:00:00", ErrorMessage = "Preconditioning:DeepColdExtraLead must be between 0 and 2 hours")]
    public TimeSpan DeepColdExtraLead { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The longest lead ever planned. Default 45 min: beyond that the cabin holds temperature at a cost for little gain.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "04:00:00", ErrorMessage = "Preconditioning:MaxLead must be between 1 minute and 4 hours")]
    public TimeSpan MaxLead { get; set; } = TimeSpan.FromMinutes(45);

    /// <summary>
    /// State of charge, in percent, from which a car that is not plugged in gets its full lead. Default 20: below it,
    /// range matters more than comfort.
    /// </summary>
    [Range(0.0, 100.0, ErrorMessage = "Preconditioning:MinimumSocOnBattery must be between 0 and 100")]
    public double MinimumSocOnBattery { get; set; } = 20.0;

    /// <summary>State of charge, in percent, below which a car that is not plugged in is not preconditioned at all. Default 10.</summary>
    [Range(0.0, 100.0, ErrorMessage = "Preconditioning:RefuseBelowSoc must be between 0 and 100")]
    public double RefuseBelowSoc { get; set; } = 10.0;

    /// <summary>
    /// The longest lead on battery when the state of charge is below <see cref="MinimumSocOnBattery"/> or unknown.
    /// Default 10 min: enough to clear the windscreen, little enough to keep the range.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "02:00:00", ErrorMessage = "Preconditioning:LowBatteryMaxLead must be between 0 and 2 hours")]
    public TimeSpan LowBatteryMaxLead { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Lead when neither cabin nor outside temperature is known. Default 20 min, a typical temperate morning.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "02:00:00", ErrorMessage = "Preconditioning:UnknownTemperatureLead must be between 0 and 2 hours")]
    public TimeSpan UnknownTemperatureLead { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>
    /// How old a temperature reading may be and still count (when planning from the twin's signals). Default 2 hours:
    /// a sleeping car stops reporting, and last evening's warm cabin says nothing about a frosty morning.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "2.00:00:00", ErrorMessage = "Preconditioning:TemperatureMaxAge must be between 1 minute and 2 days")]
    public TimeSpan TemperatureMaxAge { get; set; } = TimeSpan.FromHours(2);
}
