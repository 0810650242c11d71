using System.Text.Json;
using System.Text.Json.Serialization;

namespace DigitalTwin.Contract.Tests;

public sealed class WireNameTests
{
    [Flags]
    public enum Sample
    {
        [JsonStringEnumMemberName("none")]
        None = 0,

        [JsonStringEnumMemberName("firstOne")]
        First = 1,

        [JsonStringEnumMemberName("second")]
        Second = 2,
    }

    [Theory]
    [InlineData(Sample.None, "none")]
    [InlineData(Sample.First, "firstOne")]
    [InlineData(Sample.First | Sample.Second, "firstOne, second")]
    [InlineData((Sample)4, "4")]
    [InlineData(Sample.First | (Sample)4, "5")]
    public void A_value_is_spelled_as_System_Text_Json_spells_it(Sample value, string expected)
    {
        Assert.Equal(expected, WireName.Of(value));
        var json = JsonSerializer.Serialize(value, new JsonSerializerOptions { Converters = { new JsonStringEnumConverter(allowIntegerValues: true) } });
        Assert.Equal(expected, json.Trim('"'));
    }

    [Theory]
    [InlineData("firstOne", true, Sample.First)]
    [InlineData("First", false, Sample.None)]
    [InlineData("FIRSTONE", false, Sample.None)]
    [InlineData("", false, Sample.None)]
    [InlineData(null, false, Sample.None)]
    public void Only_the_exact_wire_name_reads_back(string? text, bool known, Sample expected)
    {
        Assert.Equal(known, WireName.TryParse(text, out Sample value));
        Assert.Equal(expected, value);
    }

    [Fact]
    public void A_value_outside_an_enum_that_is_not_flags_is_its_number()
    {
        Assert.Equal("7", WireName.Of((Plain)7));
    }

    [Fact]
    public void An_enum_member_without_a_wire_name_is_a_programming_error()
    {
        Assert.ThrowsAny<Exception>(() => WireName.Of(Unnamed.Only));
    }

    private enum Plain
    {
        [JsonStringEnumMemberName("one")]
        One = 1,
    }

    private enum Unnamed
    {
        Only = 0,
    }
}
