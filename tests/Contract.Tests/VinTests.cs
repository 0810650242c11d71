namespace DigitalTwin.Contract.Tests;

public sealed class VinTests
{
    [Theory]
    [InlineData("WDD2030461A123456")]
    [InlineData("1HGCM82633A004352")]
    [InlineData("ZZZZZZZZZZZZZZZZZ")]
    [InlineData("00000000000000000")]
    public void Seventeen_characters_of_the_ISO_alphabet_are_a_VIN(string vin)
    {
        Assert.True(Vin.IsValid(vin));
        Assert.Null(Vin.Validate(vin));
    }

    [Theory]
    [InlineData(null, "required")]
    [InlineData("", "required")]
    [InlineData("WDD2030461A12345", "has 16")]
    [InlineData("WDD2030461A1234567", "has 18")]
    [InlineData("WDD2030461A12345I", "never contains 'I'")]
    [InlineData("WDD2030461A12345O", "never contains 'O'")]
    [InlineData("WDD2030461A12345Q", "never contains 'Q'")]
    [InlineData("wdd2030461a123456", "upper case")]
    [InlineData("WDD2030461A12345+", "only the characters")]
    [InlineData("WDD2030461A12345/", "only the characters")]
    [InlineData("WDD2030461A12345\u00C4", "only the characters")]
    [InlineData("WDD2030461A1234 6", "only the characters")]
    public void Anything_else_is_refused_with_a_reason(string? vin, string reasonFragment)
    {
        Assert.False(Vin.IsValid(vin));
        Assert.Contains(reasonFragment, Vin.Validate(vin));
    }
}
