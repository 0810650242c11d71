using DigitalTwin.Grains.Abstractions.Road;
using DigitalTwin.Grains.Road;

namespace DigitalTwin.Grains.Tests.Road;

public sealed class GeohashTests
{
    [Fact]
    public void A_position_encodes_to_the_published_reference_hash_and_decodes_to_a_box_around_it()
    {
        // The reference example of the geohash description: Jutland, 57.64911 N 10.40744 E.
        Assert.Equal("u4pruydqqvj", Geohash.Encode(57.64911, 10.40744, 11));

        Assert.True(Geohash.TryDecode("u4pruydqqvj", out var box));
        Assert.True(box.Contains(57.64911, 10.40744));
    }

    [Fact]
    public void A_cell_has_eight_distinct_neighbours_that_touch_it()
    {
        var cell = Geohash.Encode(52.52, 13.405, Geohash.CellPrecision);

        var neighbours = Geohash.Neighbours(cell);

        Assert.Equal(8, neighbours.Count);
        Assert.DoesNotContain(cell, neighbours);
        Assert.True(Geohash.TryDecode(cell, out var box));
        Assert.All(neighbours, n =>
        {
            Assert.True(Geohash.TryDecode(n, out var other));
            Assert.True(box.Intersects(other));
        });
    }

    [Fact]
    public void Covering_a_box_lists_every_region_it_touches_and_refuses_one_too_large()
    {
        var box = new GeoBox(13.30, 52.45, 13.50, 52.55);

        Assert.True(Geohash.TryCover(box, Geohash.RegionPrecision, 64, out var regions));
        Assert.Contains(Geohash.Encode(52.52, 13.405, Geohash.RegionPrecision), regions);
        Assert.Contains(Geohash.Encode(52.45, 13.30, Geohash.RegionPrecision), regions);
        Assert.False(Geohash.TryCover(new GeoBox(-180, -90, 180, 90), Geohash.RegionPrecision, 64, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("u4pa")]
    [InlineData("u4pruydqqvjxx")]
    public void A_string_outside_the_alphabet_or_too_long_is_not_a_geohash(string text) =>
        Assert.False(Geohash.TryDecode(text, out _));
}
