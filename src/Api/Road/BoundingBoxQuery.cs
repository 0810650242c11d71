using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using DigitalTwin.Grains.Abstractions.Road;

namespace DigitalTwin.Api.Road;

/// <summary>The one reading of the <c>bbox</c> query parameter: <c>minLon,minLat,maxLon,maxLat</c> in degrees.</summary>
public static class BoundingBoxQuery
{
    public const string Name = "bbox";

    public static bool TryParse(string? text, out GeoBox box, [NotNullWhen(false)] out string? error)
    {
        box = default;
        var parts = text is { Length: <= 128 } ? text.Split(',') : [];
        if (parts.Length != 4)
        {
            error = "bbox is minLon,minLat,maxLon,maxLat in degrees, e.g. 13.30,52.45,13.50,52.55";
            return false;
        }

        var numbers = new double[4];
        for (var i = 0; i < 4; i++)
        {
            if (!double.TryParse(parts[i].Trim(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out numbers[i]))
            {
                error = "bbox is four numbers, minLon,minLat,maxLon,maxLat";
                return false;
            }
        }

        box = new GeoBox(numbers[0], numbers[1], numbers[2], numbers[3]);
        if (box.MinLon is < -180 or > 180 || box.MaxLon is < -180 or > 180 || box.MinLat is < -90 or > 90 || box.MaxLat is < -90 or > 90)
        {
            error = "bbox longitudes are within -180..180 and latitudes within -90..90";
            return false;
        }

        if (box.MinLon > box.MaxLon || box.MinLat > box.MaxLat)
        {
            error = "bbox minimums must not exceed maximums (a box across the antimeridian is two queries)";
            return false;
        }

        error = null;
        return true;
    }
}
