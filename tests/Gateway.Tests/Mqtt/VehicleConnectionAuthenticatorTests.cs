using DigitalTwin.Gateway.Mqtt;
using DigitalTwin.Security;
using MQTTnet.Protocol;

namespace DigitalTwin.Gateway.Tests.Mqtt;

public sealed class VehicleConnectionAuthenticatorTests
{
    private const string Key = "a-test-signing-key-that-is-long-enough-for-hs256";
    private const string Vin = "WDD2030461A123456";
    private readonly VehicleConnectionAuthenticator _authenticator = new(new VehicleTokenValidator(Key), allowAnonymous: false);
    private readonly TokenIssuer _issuer = new(Key);

    [Fact]
    public async Task A_car_with_its_own_token_connects()
    {
        var (code, _) = await _authenticator.AuthenticateAsync(Vin, Vin, _issuer.Mint(Vin, Roles.Vehicle, TimeSpan.FromHours(1)));

        Assert.Equal(MqttConnectReasonCode.Success, code);
    }

    [Fact]
    public async Task A_client_id_that_is_not_the_tokens_VIN_is_not_authorized()
    {
        var (code, result) = await _authenticator.AuthenticateAsync("WDD2030461A999999", "WDD2030461A999999", _issuer.Mint(Vin, Roles.Vehicle, TimeSpan.FromHours(1)));

        Assert.Equal(MqttConnectReasonCode.NotAuthorized, code);
        Assert.Equal("vin_mismatch", result);
    }

    [Theory]
    [InlineData("not-a-vin")]
    [InlineData("")]
    [InlineData(null)]
    public async Task A_client_id_that_is_not_a_VIN_is_not_authorized(string? clientId)
    {
        var (code, _) = await _authenticator.AuthenticateAsync(clientId, clientId, _issuer.Mint(Vin, Roles.Vehicle, TimeSpan.FromHours(1)));

        Assert.Equal(MqttConnectReasonCode.NotAuthorized, code);
    }

    [Fact]
    public async Task A_user_name_other_than_the_VIN_is_refused()
    {
        var (code, _) = await _authenticator.AuthenticateAsync(Vin, "admin", _issuer.Mint(Vin, Roles.Vehicle, TimeSpan.FromHours(1)));

        Assert.Equal(MqttConnectReasonCode.BadUserNameOrPassword, code);
    }

    [Fact]
    public async Task No_password_is_refused()
    {
        var (code, result) = await _authenticator.AuthenticateAsync(Vin, Vin, null);

        Assert.Equal(MqttConnectReasonCode.BadUserNameOrPassword, code);
        Assert.Equal("token_missing", result);
    }

    [Fact]
    public async Task Anonymous_mode_lets_anyone_in()
    {
        var lab = new VehicleConnectionAuthenticator(null, allowAnonymous: true);

        var (code, _) = await lab.AuthenticateAsync("whatever", null, null);

        Assert.Equal(MqttConnectReasonCode.Success, code);
    }
}
