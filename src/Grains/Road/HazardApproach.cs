using DigitalTwin.Grains.Abstractions.Road;

namespace DigitalTwin.Grains.Road;

/// <summary>Whether a car is coming up to a hazard: travelling its way, with the hazard ahead, near enough in distance and time.</summary>
public static class HazardApproach
{
    public static bool IsAhead(RoadObservation car, RoadHazard hazard, HazardOptions options, out double distanceMeters)
    {
        distanceMeters = GeoMath.DistanceMeters(car.Latitude, car.Longitude, hazard.Latitude, hazard.Longitude);

        // A car already within the hazard's radius is at it (it sees it, or is part of it): news is for cars behind.
        if (distanceMeters <= options.MatchRadiusMeters || distanceMeters > options.NotifyDistanceMeters
            || !GeoMath.SameDirection(car.Heading, hazard.Heading, options.HeadingToleranceDegrees))
        {
            return false;
        }

        if (car.Heading is { } heading
            && GeoMath.AngleBetween(heading, GeoMath.BearingDegrees(car.Latitude, car.Longitude, hazard.Latitude, hazard.Longitude)) > options.HeadingToleranceDegrees)
        {
            return false;
        }

        // A standing car is within the horizon by distance alone: it will be there when it moves on.
        return car.SpeedKmh is not ({ } speed and > 1)
            || TimeSpan.FromSeconds(distanceMeters / (speed / 3.6)) <= options.NotifyHorizon;
    }
}
