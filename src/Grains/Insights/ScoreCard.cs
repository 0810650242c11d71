using DigitalTwin.Grains.Abstractions.Insights;

namespace DigitalTwin.Grains.Insights;

/// <summary>
/// A set of trips summed up: distance-weighted scores, the behaviour counts and events behind them, energy or fuel per
/// 100 km and CO2 per km. The rolling 30 days of <c>/scores</c>, the monthly footprint, and a period's leaderboard
/// entry all use it.
/// </summary>
public sealed record ScoreCard(
    int Trips,
    double DistanceKm,
    double DurationSeconds,
    double? DrivingScore,
    double? EcoScore,
    BehaviourCounts Counts,
    double? KwhPer100Km,
    double? LitresPer100Km,
    double? Co2Grams,
    double? Co2GramsPerKm)
{
    public static ScoreCard Of(IReadOnlyCollection<Trip> trips)
    {
        ArgumentNullException.ThrowIfNull(trips);
        double distance = 0, duration = 0, driving = 0, eco = 0, weights = 0;
        double energy = 0, energyKm = 0, fuel = 0, fuelKm = 0, co2 = 0, co2Km = 0;
        var counts = BehaviourCounts.None;
        foreach (var trip in trips)
        {
            distance += trip.DistanceKm;
            duration += trip.DurationSeconds;
            // Weighted by distance so that a hundred metres to the bakery do not count like a motorway hour; a trip
            // of no distance still counts a little.
            var weight = Math.Max(trip.DistanceKm, 0.1);
            driving += trip.DrivingScore * weight;
            eco += trip.EcoScore * weight;
            weights += weight;
            counts = counts.Add(trip.Counts);
            if (trip.EnergyKwh is { } kwh)
            {
                energy += kwh;
                energyKm += trip.DistanceKm;
            }

            if (trip.FuelLitres is { } litres)
            {
                fuel += litres;
                fuelKm += trip.DistanceKm;
            }

            if (trip.Co2Grams is { } grams)
            {
                co2 += grams;
                co2Km += trip.DistanceKm;
            }
        }

        return new ScoreCard(
            trips.Count,
            Math.Round(distance, 3),
            duration,
            weights > 0 ? Math.Round(driving / weights, 1) : null,
            weights > 0 ? Math.Round(eco / weights, 1) : null,
            counts,
            energyKm > 0 ? Math.Round(100 * energy / energyKm, 2) : null,
            fuelKm > 0 ? Math.Round(100 * fuel / fuelKm, 2) : null,
            co2Km > 0 || co2 > 0 ? Math.Round(co2, 1) : null,
            co2Km > 0 ? Math.Round(co2 / co2Km, 1) : null);
    }

    /// <summary>The median of some values, or null when there are none.</summary>
    public static double? Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return null;
        }

        var mid = sorted.Length / 2;
        return Math.Round(sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2, 1);
    }
}
