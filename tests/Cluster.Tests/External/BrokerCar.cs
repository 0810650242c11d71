using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Contract.Topics;
using DigitalTwin.Cluster.Tests.Support;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace DigitalTwin.Cluster.Tests.External;

/// <summary>
/// A car connected to the operator's broker (no token: in external mode authentication is the broker's job). Its
/// telemetry carries <see cref="Car.SpeedAt"/> and <see cref="Car.TsAt"/>, so a twin tells which seq it reflects.
/// </summary>
public sealed class BrokerCar(string vin, int brokerPort) : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();

    public string Vin { get; } = vin;

    public ConcurrentQueue<JsonElement> Commands { get; } = new();

    public async Task ConnectAsync()
    {
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", brokerPort)
            .WithClientId(Vin)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart()
            .Build();
        var result = await _client.ConnectAsync(options);
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
    }

    public async Task ListenForCommandsAsync()
    {
        _client.ApplicationMessageReceivedAsync += e =>
        {
            Commands.Enqueue(JsonDocument.Parse(Encoding.UTF8.GetString(e.ApplicationMessage.Payload)).RootElement.Clone());
            return Task.CompletedTask;
        };
        var result = await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(VehicleTopic.Of(Vin, VehicleTopicKind.Commands), MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, Assert.Single(result.Items).ResultCode);
    }

    public Task SendTelemetryAsync(long seq) =>
        PublishAsync(VehicleTopicKind.Telemetry, TelemetryDocument.Write(Car.TsAt(seq), seq, Car.SpeedAt(seq), static (json, speed) => json.WriteNumber(SignalCatalogue.Speed, speed)));

    /// <summary>Publishes at QoS 1; the broker's PUBACK says it has the message, not that a twin applied it.</summary>
    public async Task PublishAsync(VehicleTopicKind kind, byte[] payload)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(VehicleTopic.Of(Vin, kind))
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        var result = await _client.PublishAsync(message);
        Assert.True(result.IsSuccess, $"{Vin}: the broker answered {result.ReasonCode}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            // A clean DISCONNECT: nothing the car sent is lost on the way out (MQTTnet's default linger resets).
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build());
        }

        _client.Dispose();
    }
}
