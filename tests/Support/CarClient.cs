using System.Text;
using DigitalTwin.Contract.Status;
using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Contract.Topics;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace DigitalTwin.Testing;

/// <summary>A real MQTT client over TCP that behaves like a car, writing its topics and documents with the contract.</summary>
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
            options.WithWillTopic(VehicleTopic.Of(Vin, VehicleTopicKind.Status))
                .WithWillPayload(new StatusDocument(Online: false).ToPayload())
                .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithWillRetain();
        }

        var result = await _client.ConnectAsync(options.Build());
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"{Vin} could not connect: {result.ResultCode} {result.ReasonString}");
        }
    }

    /// <summary>Publishes anything, well-formed or not, on any topic: what a buggy or hostile car might send.</summary>
    public Task<MqttClientPublishResult> PublishAsync(string topic, string payload, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce) =>
        PublishAsync(topic, Encoding.UTF8.GetBytes(payload), qos);

    public Task<MqttClientPublishResult> PublishAsync(string topic, ReadOnlyMemory<byte> payload, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce) =>
        _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload.ToArray()).WithQualityOfServiceLevel(qos).Build());

    /// <summary>A telemetry document on the car's own topic; <paramref name="signalsJson"/> is the <c>signals</c> object as sent.</summary>
    public Task<MqttClientPublishResult> TelemetryAsync(long seq, string signalsJson, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce, long? ts = null)
    {
        var signals = Encoding.UTF8.GetBytes(signalsJson);
        var document = new byte[signals.Length + TelemetryDocument.FramingBytes];
        var length = TelemetryDocument.Write(document, ts ?? 1764028800000 + seq, seq, signals);
        return PublishAsync(VehicleTopic.Of(Vin, VehicleTopicKind.Telemetry), document.AsMemory(0, length), qos);
    }

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
