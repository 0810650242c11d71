using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace DigitalTwin.EndToEnd.Tests;

/// <summary>A real MQTT client over TCP that behaves like a car.</summary>
public sealed class CarClient(string vin, int port, string token) : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();

    public string Vin { get; } = vin;
    public string Token { get; } = token;
    public IMqttClient Mqtt => _client;

    public static MqttClientOptionsBuilder Options(int port, string clientId, string? userName, string? password, MqttProtocolVersion version = MqttProtocolVersion.V500)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId(clientId)
            .WithProtocolVersion(version)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithoutPacketFragmentation();
        if (userName is not null)
        {
            builder.WithCredentials(userName, password);
        }

        return builder;
    }

    public async Task ConnectAsync(MqttProtocolVersion version = MqttProtocolVersion.V500, bool withWill = false)
    {
        var options = Options(port, Vin, Vin, Token, version);
        if (withWill)
        {
            options.WithWillTopic($"vehicles/{Vin}/status").WithWillPayload("""{"online":false}""").WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithWillRetain();
        }

        var result = await _client.ConnectAsync(options.Build());
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
    }

    public Task<MqttClientPublishResult> PublishAsync(string topic, string payload, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce) =>
        _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(Encoding.UTF8.GetBytes(payload)).WithQualityOfServiceLevel(qos).Build());

    public Task<MqttClientPublishResult> TelemetryAsync(long seq, string signalsJson, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce, long? ts = null) =>
        PublishAsync($"vehicles/{Vin}/telemetry", $"{{\"ts\":{ts ?? 1764028800000 + seq},\"seq\":{seq},\"signals\":{signalsJson}}}", qos);

    /// <summary>Closes the socket without DISCONNECT, as a car losing coverage would.</summary>
    public void Drop() => _client.Dispose();

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build());
        }

        _client.Dispose();
    }

    /// <summary>Connects and returns the CONNACK code, whether the client reports refusal as a result or an exception.</summary>
    public static async Task<MqttClientConnectResultCode?> TryConnectAsync(MqttClientOptions options)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        try
        {
            var result = await client.ConnectAsync(options);
            return result.ResultCode;
        }
        catch (MQTTnet.Adapter.MqttConnectingFailedException ex)
        {
            foreach (var code in Enum.GetValues<MqttClientConnectResultCode>())
            {
                if (ex.Message.Contains(code.ToString(), StringComparison.OrdinalIgnoreCase))
                {
                    return code;
                }
            }

            return null;
        }
    }
}
