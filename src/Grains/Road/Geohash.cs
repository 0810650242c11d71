using DigitalTwin.Grains.Abstractions.Road;

namespace DigitalTwin.Grains.Road;

/// <summary>
/// Geohash (base-32, bits alternating longitude then latitude) with the few operations road cells need. Written here
/// because no geohash or H3 package is on the project's NuGet list; the algorithm is a few lines.
/// </summary>
public static class Geohash
{
    /// <summary>A road cell: about 1.2 km x 0.6 km at the equator, a few hundred cars at most in a dense city.</summary>
    public const int CellPrecision = 6;

    /// <summary>A region of cells: about 39 km x 20 km, what a <c>bbox</c> query reads.</summary>
    public const int RegionPrecision = 4;

    /// <summary>A spot: about 150 m x 150 m, what a car crossing it changes its feed on.</summary>
    public const int SpotPrecision = 7;

    private const string Alphabet = "0123456789bcdefghjkmnpqrstuvwxyz";

    public static string Encode(double latitude, double longitude, int precision) =>
        FromBits(EncodeBits(latitude, longitude, precision), precision);

    /// <summary>
    /// The geohash as its 5 x <paramref name="precision"/> bits (precision up to 12), without a string: what the twin
    /// compares on every document to notice a new spot.
    /// </summary>
    public static long EncodeBits(double latitude, double longitude, int precision)
    {
        double minLat = -90, maxLat = 90, minLon = -180, maxLon = 180;
        long bits = 0;
        for (var i = 0; i < precision * 5; i++)
        {
            bits <<= 1;
            if (i % 2 == 0)
            {
                var mid = (minLon + maxLon) / 2;
                if (longitude >= mid)
                {
                    bits |= 1;
                    minLon = mid;
                }
                else
                {
                    maxLon = mid;
                }
            }
            else
            {
                var mid = (minLat + maxLat) / 2;
                if (latitude >= mid)
                {
                    bits |= 1;
                    minLat = mid;
                }
                else
                {
                    maxLat = mid;
                }
            }
        }

        return bits;
    }

    public static string FromBits(long bits, int precision)
    {
        Span<char> chars = stackalloc char[precision];
        for (var i = precision - 1; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(bits & 31)];
            bits >>= 5;
        }

        return new string(chars);
    }

    /// <summary>The box a geohash covers; false for a string that is not one.</summary>
    public static bool TryDecode(string hash, out GeoBox box)
    {
        double minLat = -90, maxLat = 90, minLon = -180, maxLon = 180;
        var even = true;
        box = default;
        if (hash.Length is 0 or > 12)
        {
            return false;
        }

        foreach (var c in hash)
        {
            var index = Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (index < 0)
            {
                return false;
            }

            for (var bit = 4; bit >= 0; bit--)
            {
                var on = (index & (1 << bit)) != 0;
                if (even)
                {
                    var mid = (minLon + maxLon) / 2;
                    if (on)
                    {
                        minLon = mid;
                    }
                    else
                    {
                        maxLon = mid;
                    }
                }
                else
                {
                    var mid = (minLat + maxLat) / 2;
                    if (on)
                    {
                        minLat = mid;
                    }
                    else
                    {
                        maxLat = mid;
                    }
                }

                even = !even;
            }
        }

        box = new GeoBox(minLon, minLat, maxLon, maxLat);
        return true;
    }

    public static (double Latitude, double Longitude) Center(string hash)
    {
        if (!TryDecode(hash, out var box))
        {
            throw new ArgumentException("Not a geohash.", nameof(hash));
        }

        return ((box.MinLat + box.MaxLat) / 2, (box.MinLon + box.MaxLon) / 2);
    }

    /// <summary>The eight cells around <paramref name="hash"/> (fewer at the poles), same precision.</summary>
    public static IReadOnlyList<string> Neighbours(string hash)
    {
        if (!TryDecode(hash, out var box))
        {
            return [];
        }

        var height = box.MaxLat - box.MinLat;
        var width = box.MaxLon - box.MinLon;
        var (lat, lon) = ((box.MinLat + box.MaxLat) / 2, (box.MinLon + box.MaxLon) / 2);
        var result = new List<string>(8);
        for (var dy = -1; dy <= 1; dy++)
        {
            for (var dx = -1; dx <= 1; dx++)
            {
                var nLat = lat + (dy * height);
                if ((dx == 0 && dy == 0) || nLat is > 90 or < -90)
                {
                    continue;
                }

                // Across the antimeridian longitude wraps around.
                var nLon = lon + (dx * width);
                nLon = nLon > 180 ? nLon - 360 : nLon < -180 ? nLon + 360 : nLon;
                var neighbour = Encode(nLat, nLon, hash.Length);
                if (!result.Contains(neighbour))
                {
                    result.Add(neighbour);
                }
            }
        }

        return result;
    }

    /// <summary>
    /// Every geohash of <paramref name="precision"/> that overlaps <paramref name="box"/>; false when there would be more
    /// than <paramref name="max"/>, so a caller can refuse a box too large instead of doing the work.
    /// </summary>
    public static bool TryCover(GeoBox box, int precision, int max, out List<string> hashes)
    {
        hashes = [];
        if (!TryDecode(Encode(box.MinLat, box.MinLon, precision), out var first))
        {
            return false;
        }

        var height = first.MaxLat - first.MinLat;
        var width = first.MaxLon - first.MinLon;
        var rows = (long)Math.Floor((box.MaxLat - first.MinLat) / height) + 1;
        var columns = (long)Math.Floor((box.MaxLon - first.MinLon) / width) + 1;
        if (rows * columns > max)
        {
            return false;
        }

        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                var lat = Math.Min(first.MinLat + ((r + 0.5) * height), 90);
                var lon = Math.Min(first.MinLon + ((c + 0.5) * width), 180);
                hashes.Add(Encode(lat, lon, precision));
            }
        }

        return true;
    }
}
