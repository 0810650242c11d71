using DigitalTwin.Security;
using Microsoft.Extensions.Time.Testing;

namespace DigitalTwin.Gateway.Tests.Security;

public sealed class VehicleTokenValidatorTests
{
    private const string Key = "a-test-signing-key-that-is-long-enough-for-hs256";
    private const string Vin = "WDD2030461A123456";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));

    private VehicleTokenValidator Validator() => new(Key, timeProvider: _time);

    private string Mint(string sub = Vin, string role = Roles.Vehicle, string key = Key, string issuer = "digitaltwin", string audience = "digitaltwin", TimeSpan? lifetime = null) =>
        new TokenIssuer(key, issuer, audience, _time).Mint(sub, role, lifetime ?? TimeSpan.FromHours(1));

    [Fact]
    public async Task A_vehicle_token_for_the_same_VIN_is_valid()
    {
        Assert.Equal(VehicleTokenResult.Valid, await Validator().ValidateAsync(Mint(), Vin));
    }

    [Fact]
    public async Task An_expired_token_is_refused()
    {
        var token = Mint(lifetime: TimeSpan.FromMinutes(5));
        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal(VehicleTokenResult.Expired, await Validator().ValidateAsync(token, Vin));
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_refused()
    {
        var forged = Mint(key: "an-attacker-key-that-is-also-long-enough-for-hs256");

        Assert.Equal(VehicleTokenResult.BadSignature, await Validator().ValidateAsync(forged, Vin));
    }

    [Fact]
    public async Task A_token_with_a_tampered_payload_is_refused()
    {
        var token = Mint();
        var parts = token.Split('.');
        var payload = System.Text.Encoding.UTF8.GetString(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(parts[1]));
        var tampered = payload.Replace(Vin, "WDD2030461A999999");
        var forged = $"{parts[0]}.{Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(tampered)}.{parts[2]}";

        Assert.Equal(VehicleTokenResult.BadSignature, await Validator().ValidateAsync(forged, "WDD2030461A999999"));
    }

    [Fact]
    public async Task An_unsigned_token_is_refused()
    {
        var header = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""");
        var payload = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode($$"""{"sub":"{{Vin}}","role":"vehicle","iss":"digitaltwin","aud":"digitaltwin","exp":1900000000}""");

        Assert.NotEqual(VehicleTokenResult.Valid, await Validator().ValidateAsync($"{header}.{payload}.", Vin));
    }

    [Theory]
    [InlineData(Roles.User)]
    [InlineData(Roles.Operator)]
    public async Task A_person_token_cannot_connect_as_a_car(string role)
    {
        Assert.Equal(VehicleTokenResult.WrongRole, await Validator().ValidateAsync(Mint(role: role), Vin));
    }

    [Fact]
    public async Task A_token_for_another_VIN_is_refused()
    {
        Assert.Equal(VehicleTokenResult.VinMismatch, await Validator().ValidateAsync(Mint(sub: "WDD2030461A999999"), Vin));
    }

    [Fact]
    public async Task A_token_for_another_audience_is_refused()
    {
        Assert.Equal(VehicleTokenResult.WrongIssuerOrAudience, await Validator().ValidateAsync(Mint(audience: "someone-else"), Vin));
    }

    [Theory]
    [InlineData(null, VehicleTokenResult.Missing)]
    [InlineData("", VehicleTokenResult.Missing)]
    [InlineData("password", VehicleTokenResult.Malformed)]
    [InlineData("a.b.c", VehicleTokenResult.Malformed)]
    public async Task Garbage_passwords_are_refused(string? password, VehicleTokenResult expected)
    {
        Assert.Equal(expected, await Validator().ValidateAsync(password, Vin));
    }

    [Fact]
    public async Task A_megabyte_password_is_refused_without_parsing_it()
    {
        Assert.Equal(VehicleTokenResult.Malformed, await Validator().ValidateAsync(new string('a', 1_000_000), Vin));
    }
}
