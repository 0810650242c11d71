using System.ComponentModel.DataAnnotations;

namespace DigitalTwin.Grains.Insights;

/// <summary>
/// Thresholds, factors and weights of driver behaviour, scores, CO2, charging and feedback. <c>docs/insights.md</c>
/// gives the source of every default.
/// </summary>
public sealed class InsightsOptions
{
    public const string SectionName = "Insights";

    /// <summary>Off: twins keep no trips, scores or sessions (and pay nothing for them). Default on.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Deceleration, in m/s^2 (positive), from which braking is harsh. Default 3.5 (about 0.36 g).</summary>
    [Range(1.0, 15.0, ErrorMessage = "Insights:HarshBrakingMps2 must be between 1 and 15")]
    public double HarshBrakingMps2 { get; set; } = 3.5;

    /// <summary>Acceleration, in m/s^2, from which accelerating is harsh. Default 3.0 (about 0.31 g).</summary>
    [Range(1.0, 15.0, ErrorMessage = "Insights:HarshAccelerationMps2 must be between 1 and 15")]
    public double HarshAccelerationMps2 { get; set; } = 3.0;

    /// <summary>|Lateral acceleration|, in m/s^2, from which cornering is harsh. Default 4.0 (about 0.41 g).</summary>
    [Range(1.0, 15.0, ErrorMessage = "Insights:HarshCorneringMps2 must be between 1 and 15")]
    public double HarshCorneringMps2 { get; set; } = 4.0;

    /// <summary>|Vertical acceleration|, in m/s^2, from which a sample is a road shock (a pothole). Default 4.0.</summary>
    [Range(1.0, 100.0, ErrorMessage = "Insights:PotholeVerticalMps2 must be between 1 and 100")]
    public double PotholeVerticalMps2 { get; set; } = 4.0;

    /// <summary>
    /// A harsh longitudinal or lateral reading this close (car time) to a road shock is the shock, not the driver. Default 1 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10", ErrorMessage = "Insights:ShockWindow must be between 0 and 10 s")]
    public TimeSpan ShockWindow { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The speed limit, in km/h, speeding is measured against until per-road limits exist. Default 130.</summary>
    [Range(10.0, 400.0, ErrorMessage = "Insights:SpeedLimitKmh must be between 10 and 400")]
    public double SpeedLimitKmh { get; set; } = 130;

    /// <summary>Above this speed, in km/h, driving costs markedly more energy (drag). Default 110.</summary>
    [Range(10.0, 400.0, ErrorMessage = "Insights:EcoSpeedKmh must be between 10 and 400")]
    public double EcoSpeedKmh { get; set; } = 110;

    /// <summary>Fuel of cars that report litres: <c>Petrol</c> or <c>Diesel</c>. Default Petrol.</summary>
    public FuelType FuelType { get; set; } = FuelType.Petrol;

    /// <summary>Grams of CO2 per litre of petrol burnt. Default 2,348 (US EPA: 8,887 g per US gallon).</summary>
    [Range(1000.0, 5000.0, ErrorMessage = "Insights:PetrolCo2GramsPerLitre must be between 1000 and 5000")]
    public double PetrolCo2GramsPerLitre { get; set; } = 2348;

    /// <summary>Grams of CO2 per litre of diesel burnt. Default 2,689 (US EPA: 10,180 g per US gallon).</summary>
    [Range(1000.0, 5000.0, ErrorMessage = "Insights:DieselCo2GramsPerLitre must be between 1000 and 5000")]
    public double DieselCo2GramsPerLitre { get; set; } = 2689;

    /// <summary>
    /// Grams of CO2e per kWh of the grid that charges the electric cars. Default 250, the order of the EU-27 average the
    /// EEA reports for the early 2020s; set the current figure of the grid the fleet charges from.
    /// </summary>
    [Range(0.0, 2000.0, ErrorMessage = "Insights:GridCarbonIntensityGramsPerKwh must be between 0 and 2000")]
    public double GridCarbonIntensityGramsPerKwh { get; set; } = 250;

    /// <summary>Rates per 100 km are taken over at least this distance, so one event on a 1 km trip is not 100 per 100 km. Default 20.</summary>
    [Range(1.0, 1000.0, ErrorMessage = "Insights:MinScoreDistanceKm must be between 1 and 1000")]
    public double MinScoreDistanceKm { get; set; } = 20;

    /// <summary>Points off the driving score per harsh brake per 100 km. Default 1.5.</summary>
    [Range(0.0, 100.0, ErrorMessage = "Insights:HarshBrakingWeight must be between 0 and 100")]
    public double HarshBrakingWeight { get; set; } = 1.5;

    /// <summary>Points off per harsh acceleration per 100 km (driving score; eco score takes 1.5 x this). Default 1.0.</summary>
    [Range(0.0, 100.0, ErrorMessage = "Insights:HarshAccelerationWeight must be between 0 and 100")]
    public double HarshAccelerationWeight { get; set; } = 1.0;

    /// <summary>Points off the driving score per harsh corner per 100 km. Default 1.0.</summary>
    [Range(0.0, 100.0, ErrorMessage = "Insights:HarshCorneringWeight must be between 0 and 100")]
    public double HarshCorneringWeight { get; set; } = 1.0;

    /// <summary>Points off the driving score per ADAS intervention per 100 km. Default 2.0.</summary>
    [Range(0.0, 100.0, ErrorMessage = "Insights:AdasInterventionWeight must be between 0 and 100")]
    public double AdasInterventionWeight { get; set; } = 2.0;

    /// <summary>Points off the driving score per percent of driving time above the speed limit. Default 1.0.</summary>
    [Range(0.0, 100.0, ErrorMessage = "Insights:SpeedingWeight must be between 0 and 100")]
    public double SpeedingWeight { get; set; } = 1.0;

    /// <summary>Points off the eco score per percent of driving time above <see cref="EcoSpeedKmh"/>. Default 0.5.</summary>
    [Range(0.0, 100.0, ErrorMessage = "Insights:HighSpeedWeight must be between 0 and 100")]
    public double HighSpeedWeight { get; set; } = 0.5;

    /// <summary>Points off the eco score per percent of trip time standing. Default 0.2.</summary>
    [Range(0.0, 100.0, ErrorMessage = "Insights:IdleWeight must be between 0 and 100")]
    public double IdleWeight { get; set; } = 0.2;

    /// <summary>A charge that ends within this many points of the charge limit reached it. Default 1.</summary>
    [Range(0.0, 20.0, ErrorMessage = "Insights:ChargeLimitTolerancePercent must be between 0 and 20")]
    public double ChargeLimitTolerancePercent { get; set; } = 1;

    /// <summary>This many harsh accelerations (or brakes) within <see cref="FeedbackWindow"/> earn the driver a tip. Default 3.</summary>
    [Range(1, 100, ErrorMessage = "Insights:FeedbackHarshEvents must be between 1 and 100")]
    public int FeedbackHarshEvents { get; set; } = 3;

    /// <summary>The window the harsh events of a tip fall in, in car time. Default 10 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00", ErrorMessage = "Insights:FeedbackWindow must be between 10 s and 1 day")]
    public TimeSpan FeedbackWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Speeding without a break this long earns a tip. Default 60 s.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00", ErrorMessage = "Insights:FeedbackSpeedingDuration must be between 5 s and 1 hour")]
    public TimeSpan FeedbackSpeedingDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>At most one tip per car per this much car time: feedback that nags is switched off. Default 15 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00", ErrorMessage = "Insights:FeedbackMinInterval must be between 0 and 7 days")]
    public TimeSpan FeedbackMinInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a tip stays worth showing in the car. Default 10 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00", ErrorMessage = "Insights:FeedbackTtl must be between 10 s and 1 day")]
    public TimeSpan FeedbackTtl { get; set; } = TimeSpan.FromMinutes(10);

    public double Co2GramsPerLitre => FuelType == FuelType.Diesel ? DieselCo2GramsPerLitre : PetrolCo2GramsPerLitre;
}

public enum FuelType
{
    Petrol,
    Diesel,
}
