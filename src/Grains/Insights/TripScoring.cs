using DigitalTwin.Grains.Abstractions.Insights;

namespace DigitalTwin.Grains.Insights;

/// <summary>
/// The formulas of a finished trip: distance, energy, CO2 and its two 0-100 scores. <c>docs/insights.md</c> explains
/// each one with its inputs, thresholds and sources.
/// </summary>
public static class TripScoring
{
    public static Trip Build(string vin, OpenTrip open, string reason, long endTs, double? netCapacityKwh, InsightsOptions options)
    {
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(options);
        var (distanceKm, source) = open.StartOdometer is { } first && open.LastOdometer is { } last && last >= first
            ? (last - first, DistanceSources.Odometer)
            : (open.GpsMeters / 1000, DistanceSources.Gps);
        var durationSeconds = Math.Max(0, (endTs - open.StartTs) / 1000.0);
        double? energyKwh = open.StartSoc is { } startSoc && open.LastSoc is { } endSoc && netCapacityKwh is { } capacity
            ? Math.Max(0, (startSoc - endSoc) / 100 * capacity)
            : null;
        var co2 = Co2Grams(energyKwh, open.FuelLitres, options);
        var counts = open.Counts;
        var (driving, eco) = Scores(counts, distanceKm, durationSeconds, options);

        return new Trip(
            Trip.IdFor(vin, open.StartTs),
            vin,
            DateTimeOffset.FromUnixTimeMilliseconds(open.StartTs),
            DateTimeOffset.FromUnixTimeMilliseconds(endTs),
            open.StartPosition,
            open.EndPosition,
            Math.Round(distanceKm, 3),
            source,
            durationSeconds,
            Math.Round(open.MaxSpeedKmh, 1),
            durationSeconds > 0 ? Math.Round(distanceKm / (durationSeconds / 3600), 1) : 0,
            energyKwh is { } kwh ? Math.Round(kwh, 3) : null,
            open.FuelLitres is { } litres ? Math.Round(litres, 3) : null,
            co2 is { } g ? Math.Round(g, 1) : null,
            driving,
            eco,
            counts,
            open.Events.ToList(),
            reason);
    }

    /// <summary>Tank-to-wheel CO2 of fuel burnt, or the grid's CO2 of the energy an electric car drew from its battery.</summary>
    public static double? Co2Grams(double? energyKwh, double? fuelLitres, InsightsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (fuelLitres is { } litres && litres > 0)
        {
            return litres * options.Co2GramsPerLitre;
        }

        return energyKwh is { } kwh ? kwh * options.GridCarbonIntensityGramsPerKwh : fuelLitres is not null ? 0 : null;
    }

    /// <summary>
    /// Driving score = 100 - rate-weighted harsh braking, acceleration, cornering and ADAS interventions - speeding share;
    /// eco score = 100 - rate-weighted harsh acceleration (x1.5) and braking - high-speed share - idle share. Rates are per
    /// 100 km over at least <see cref="InsightsOptions.MinScoreDistanceKm"/>, shares in percent of driving (or trip) time.
    /// </summary>
    public static (double Driving, double Eco) Scores(BehaviourCounts counts, double distanceKm, double durationSeconds, InsightsOptions options)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(options);
        var per100Km = 100 / Math.Max(distanceKm, options.MinScoreDistanceKm);
        var movingSeconds = Math.Max(0, durationSeconds - counts.IdleSeconds);
        var speedingPercent = movingSeconds > 0 ? 100 * Math.Min(counts.SpeedingSeconds, movingSeconds) / movingSeconds : 0;
        var highSpeedPercent = movingSeconds > 0 ? 100 * Math.Min(counts.HighSpeedSeconds, movingSeconds) / movingSeconds : 0;
        var idlePercent = durationSeconds > 0 ? 100 * Math.Min(counts.IdleSeconds, durationSeconds) / durationSeconds : 0;

        var driving = 100
            - (per100Km * ((options.HarshBrakingWeight * counts.HarshBraking)
                + (options.HarshAccelerationWeight * counts.HarshAcceleration)
                + (options.HarshCorneringWeight * counts.HarshCornering)
                + (options.AdasInterventionWeight * counts.AdasInterventions)))
            - (options.SpeedingWeight * speedingPercent);
        var eco = 100
            - (per100Km * ((1.5 * options.HarshAccelerationWeight * counts.HarshAcceleration) + (options.HarshBrakingWeight * counts.HarshBraking)))
            - (options.HighSpeedWeight * highSpeedPercent)
            - (options.IdleWeight * idlePercent);
        return (Clamp(driving), Clamp(eco));
    }

    private static double Clamp(double score) => Math.Round(Math.Clamp(score, 0, 100), 1);
}
