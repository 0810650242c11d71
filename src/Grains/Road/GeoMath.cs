namespace DigitalTwin.Grains.Road;

/// <summary>Distances and directions on the sphere, good to a fraction of a percent at road scale.</summary>
public static class GeoMath
{
    private const double EarthRadiusMeters = 6_371_008.8;

    public static double DistanceMeters(double lat1, double lon1, double lat2, double lon2)
    {
        var p1 = Radians(lat1);
        var p2 = Radians(lat2);
        var dp = p2 - p1;
        var dl = Radians(lon2 - lon1);
        var a = (Math.Sin(dp / 2) * Math.Sin(dp / 2)) + (Math.Cos(p1) * Math.Cos(p2) * Math.Sin(dl / 2) * Math.Sin(dl / 2));
        return 2 * EarthRadiusMeters * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }

    /// <summary>Initial bearing from the first point to the second, degrees from north in [0, 360).</summary>
    public static double BearingDegrees(double lat1, double lon1, double lat2, double lon2)
    {
        var p1 = Radians(lat1);
        var p2 = Radians(lat2);
        var dl = Radians(lon2 - lon1);
        var y = Math.Sin(dl) * Math.Cos(p2);
        var x = (Math.Cos(p1) * Math.Sin(p2)) - (Math.Sin(p1) * Math.Cos(p2) * Math.Cos(dl));
        return Normalize(Math.Atan2(y, x) * 180 / Math.PI);
    }

    /// <summary>The smaller angle between two headings, 0..180 degrees.</summary>
    public static double AngleBetween(double a, double b)
    {
        var d = Math.Abs(Normalize(a) - Normalize(b));
        return d > 180 ? 360 - d : d;
    }

    /// <summary>
    /// Whether two directions of travel are the same within <paramref name="toleranceDegrees"/>; an unknown heading
    /// matches any, so a car without a compass still hears of hazards near it.
    /// </summary>
    public static bool SameDirection(double? a, double? b, double toleranceDegrees) =>
        a is not { } x || b is not { } y || AngleBetween(x, y) <= toleranceDegrees;

    public static double Normalize(double degrees)
    {
        var d = degrees % 360;
        return d < 0 ? d + 360 : d;
    }

    private static double Radians(double degrees) => degrees * Math.PI / 180;
}
