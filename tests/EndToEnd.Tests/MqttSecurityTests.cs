using System.Net.Http.Json;
using System.Text.Json;
using DigitalTwin.Security;
using DigitalTwin.Testing;
using MQTTnet;
using MQTTnet.Formatter;

namespace DigitalTwin.EndToEnd.Tests;

[Collection(SiloCollection.Name)]
public sealed class MqttSecurityTests(SiloFixture silo)
{
    [Fact]
    public async Task An_anonymous_connect_is_refused()
    {
        var code = await CarClient.TryConnectAsync(CarClient.Options(silo.MqttPort, Vins.Next(), null, null).Build());

        Assert.NotNull(code);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, code);
    }

    [Fact]
    public async Task A_forged_token_is_refused()
    {
        var vin = Vins.Next();
        var forged = new TokenIssuer("an-attacker-key-that-is-also-long-enough-for-hs256").Mint(vin, Roles.Vehicle, TimeSpan.FromHours(1));

        var code = await CarClient.TryConnectAsync(CarClient.Options(silo.MqttPort, vin, vin, forged).Build());

        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, code);
    }

    [Fact]
    public async Task A_client_id_other_than_the_tokens_VIN_is_refused()
    {
        var vin = Vins.Next();
        var other = Vins.Next();
        var token = silo.Tokens.Mint(vin, Roles.Vehicle, TimeSpan.FromHours(1));

        var code = await CarClient.TryConnectAsync(CarClient.Options(silo.MqttPort, other, other, token).Build());

        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, code);
    }

    [Fact]
    public async Task A_user_token_cannot_connect_as_a_car()
    {
        var vin = Vins.Next();
        var token = silo.Tokens.Mint(vin, Roles.Operator, TimeSpan.FromHours(1));

        var code = await CarClient.TryConnectAsync(CarClient.Options(silo.MqttPort, vin, vin, token).Build());

        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, code);
    }

    [Fact]
    public async Task A_refused_connect_under_MQTT_3_1_1_is_refused_too()
    {
        var vin = Vins.Next();

        var code = await CarClient.TryConnectAsync(CarClient.Options(silo.MqttPort, vin, vin, "not-a-token", MqttProtocolVersion.V311).Build());

        Assert.NotEqual(MqttClientConnectResultCode.Success, code);
    }

    [Fact]
    public async Task Publishing_to_another_cars_topic_is_not_authorized_changes_nothing_and_is_counted()
    {
        var victim = Vins.Next();
        await using var attacker = silo.Car(Vins.Next());
        await attacker.ConnectAsync();
        var before = await CountAsync("not_authorized");

        var telemetry = await attacker.PublishAsync($"vehicles/{victim}/telemetry", """{"ts":1,"seq":1,"signals":{"Vehicle.Speed":1}}""");
        var status = await attacker.PublishAsync($"vehicles/{victim}/status", """{"online":true}""");
        var commands = await attacker.PublishAsync($"vehicles/{attacker.Vin}/commands", """{"id":"x","name":"doors.unlock"}""");

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, telemetry.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, status.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, commands.ReasonCode);
        Assert.Null(await silo.Operator().GetTwinAsync(victim));
        Assert.Equal(before + 3, await CountAsync("not_authorized"));
    }

    [Fact]
    public async Task Under_MQTT_3_1_1_a_foreign_publish_is_dropped()
    {
        var victim = Vins.Next();
        await using var attacker = silo.Car(Vins.Next());
        await attacker.ConnectAsync(MqttProtocolVersion.V311);
        var before = await CountAsync("not_authorized");

        await attacker.PublishAsync($"vehicles/{victim}/telemetry", """{"ts":1,"seq":1,"signals":{"Vehicle.Speed":1}}""");

        Assert.Equal(before + 1, await CountAsync("not_authorized"));
        Assert.Null(await silo.Operator().GetTwinAsync(victim));
    }

    [Theory]
    [InlineData("vehicles/{other}/commands")]
    [InlineData("vehicles/+/commands")]
    [InlineData("vehicles/#")]
    [InlineData("#")]
    [InlineData("vehicles/{self}/telemetry")]
    public async Task Subscribing_beyond_the_cars_own_commands_is_not_authorized(string filter)
    {
        await using var car = silo.Car(Vins.Next());
        await car.ConnectAsync();
        var topic = filter.Replace("{other}", Vins.Next()).Replace("{self}", car.Vin);

        var result = await car.Mqtt.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(topic).Build());

        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, Assert.Single(result.Items).ResultCode);
    }

    [Fact]
    public async Task A_car_may_subscribe_to_its_own_commands()
    {
        await using var car = silo.Car(Vins.Next());
        await car.ConnectAsync();

        var result = await car.Mqtt.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter($"vehicles/{car.Vin}/commands", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build());

        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, Assert.Single(result.Items).ResultCode);
    }

    private async Task<long> CountAsync(string reason)
    {
        using var doc = await silo.Operator().GetFromJsonAsync<JsonDocument>("/api/v1/operations/dead-letters?limit=1");
        return doc!.RootElement.GetProperty("counts").TryGetProperty(reason, out var n) ? n.GetInt64() : 0;
    }
}
