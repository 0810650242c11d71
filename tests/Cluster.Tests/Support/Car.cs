using System.Text;
using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Contract.Topics;
using DigitalTwin.Testing;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace DigitalTwin.Cluster.Tests.Support;

/// <summary>
/// A car on MQTT 5 over TCP, connected to one silo's embedded broker at a time. Every telemetry document it sends
/// carries a speed and a sample time derived from its seq, so a twin read anywhere tells which seq it reflects.
/// </summary>
public sealed class Car(string vin, string token) : IAsyncDisposable
{
    /// <summary>Sample times start at this run's start, so history retention never treats them as old.</summary>
    private static readonly long BaseTs = DateTimeOffset.UtcNow.ToUnixTimeSeconds() * 1000;

    private IMqttClient? _client;

    public string Vin { get; } = vin;

    /// <summary>The silo whose broker the car is connected to (or was, until it died).</summary>
    public SiloProcess? Silo { get; private set; }

    /// <summary>The highest seq the broker acknowledged with success.</summary>
    public long LastSeq { get; private set; }

    public bool IsConnected => _client?.IsConnected == true;

    /// <summary>Command documents received on <c>vehicles/{vin}/commands</c>, in arrival order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<System.Text.Json.JsonElement> Commands { get; } = new();

    /// <summary>Subscribes to the car's commands on its current broker, as a car does after connecting.</summary>
    public async Task ListenForCommandsAsync()
    {
        var client = _client ?? throw new InvalidOperationException($"{Vin} is not connected");
        client.ApplicationMessageReceivedAsync += e =>
        {
            Commands.Enqueue(System.Text.Json.JsonDocument.Parse(Encoding.UTF8.GetString(e.ApplicationMessage.Payload)).RootElement.Clone());
            return Task.CompletedTask;
        };
        var result = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(VehicleTopic.Of(Vin, VehicleTopicKind.Commands), MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, Assert.Single(result.Items).ResultCode);
    }

    public static double SpeedAt(long seq) => 10 + (seq * 2.5);

    public static long TsAt(long seq) => BaseTs + (seq * 1000);

    /// <summary>Connects to <paramref name="silo"/>'s broker, with a new client: a car that lost its broker starts over.</summary>
    public async Task ConnectAsync(SiloProcess silo)
    {
        var result = await TryConnectAsync(silo.MqttPort);
        Assert.True(result == MqttClientConnectResultCode.Success, $"{Vin} could not connect to {silo}: {result}");
        Silo = silo;
    }

    /// <summary>
    /// Connects to whatever broker listens on <paramref name="port"/> (a load balancer in front of several); the answer
    /// of its CONNACK, or null when the connection itself failed. <see cref="Silo"/> is then unknown.
    /// </summary>
    public async Task<MqttClientConnectResultCode?> TryConnectAsync(int port)
    {
        await CloseAsync();
        Silo = null;
        var options = CarClient.Options(port, Vin, Vin, token).WithCleanStart().Build();
        var client = new MqttClientFactory().CreateMqttClient();
        var lost = new TaskCompletionSource<MqttClientDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.DisconnectedAsync += e =>
        {
            if (e.ClientWasConnected)
            {
                lost.TrySetResult(e);
            }

            return Task.CompletedTask;
        };
        try
        {
            var result = await client.ConnectAsync(options);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                client.Dispose();
                return result.ResultCode;
            }
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
        {
            client.Dispose();
            return null;
        }

        _client = client;
        Lost = lost.Task;
        return MqttClientConnectResultCode.Success;
    }

    /// <summary>Completes when the broker ends the current connection: its DISCONNECT reason, if it sent one.</summary>
    public Task<MqttClientDisconnectedEventArgs> Lost { get; private set; } = new TaskCompletionSource<MqttClientDisconnectedEventArgs>().Task;

    /// <summary>Sends one event document (an airbag deployment, say) at QoS 1; the broker's answer.</summary>
    public async Task<MqttClientPublishResult> SendEventAsync(long seq, string type)
    {
        var client = _client ?? throw new InvalidOperationException($"{Vin} is not connected");
        var payload = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{{\"ts\":{TsAt(seq)},\"seq\":{seq},\"type\":\"{type}\",\"data\":{{}}}}");
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(VehicleTopic.Of(Vin, VehicleTopicKind.Events))
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        return await client.PublishAsync(message);
    }

    /// <summary>Sends one telemetry document at QoS 1 and returns the broker's answer (the PUBACK).</summary>
    public async Task<MqttClientPublishResult> SendAsync(long seq)
    {
        var client = _client ?? throw new InvalidOperationException($"{Vin} is not connected");
        var payload = TelemetryDocument.Write(TsAt(seq), seq, SpeedAt(seq), static (json, speed) => json.WriteNumber(SignalCatalogue.Speed, speed));
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(VehicleTopic.Of(Vin, VehicleTopicKind.Telemetry))
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        var result = await client.PublishAsync(message);
        if (result.IsSuccess && seq > LastSeq)
        {
            LastSeq = seq;
        }

        return result;
    }

    /// <summary>Sends the next <paramref name="count"/> seqs; each must be acknowledged with success.</summary>
    public async Task DriveAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var seq = LastSeq + 1;
            var result = await SendAsync(seq);
            Assert.True(result.IsSuccess, $"{Vin} seq {seq} through {Silo}: PUBACK {result.ReasonCode} {result.ReasonString}");
        }
    }

    public ValueTask DisposeAsync() => new(CloseAsync());

    /// <summary>DISCONNECT when the connection is alive (so nothing buffered is lost), then let go of the client.</summary>
    private async Task CloseAsync()
    {
        if (_client is not { } client)
        {
            return;
        }

        _client = null;
        try
        {
            if (client.IsConnected)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await client.DisconnectAsync(
                    new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(),
                    timeout.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException)
        {
            // The broker died with its silo; there is nobody to say goodbye to.
        }
        finally
        {
            client.Dispose();
        }
    }
}
