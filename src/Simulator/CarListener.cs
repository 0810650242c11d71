using System.Buffers;
using System.Text.Json;
using DigitalTwin.Contract;
using DigitalTwin.Contract.Commands;
using DigitalTwin.Contract.Topics;
using MQTTnet;
using MQTTnet.Protocol;

namespace DigitalTwin.Simulator;

/// <summary>
/// With <c>--listen</c>, what a car does with what the cloud sends it: carries out every command at once (acks
/// <c>accepted</c>, then <c>completed</c>) and shows the notifications it receives, so a demo sees commands finish and
/// hazards and driving feedback arrive.
/// </summary>
public sealed class CarListener(FleetStats stats, TextWriter output, bool quiet)
{
    // Enough to see them arrive without flooding the terminal when a whole fleet is told about a hazard.
    private const int MaxShownNotifications = 20;

    public static MqttClientSubscribeOptions Subscriptions(string vin) => new MqttClientSubscribeOptionsBuilder()
        .WithTopicFilter(VehicleTopic.Of(vin, VehicleTopicKind.Commands), MqttQualityOfServiceLevel.AtLeastOnce)
        .WithTopicFilter(VehicleTopic.Of(vin, VehicleTopicKind.Notifications), MqttQualityOfServiceLevel.AtLeastOnce)
        .Build();

    public async Task OnMessageAsync(SimulatedCar car, MqttApplicationMessageReceivedEventArgs e)
    {
        var topic = VehicleTopic.Parse(e.ApplicationMessage.Topic);
        if (!topic.IsSuccess)
        {
            return;
        }

        if (topic.Value.Kind == VehicleTopicKind.Notifications)
        {
            if (stats.CountNotification() <= MaxShownNotifications && !quiet)
            {
                output.WriteLine($"{car.Vin}: notification {System.Text.Encoding.UTF8.GetString(e.ApplicationMessage.Payload.ToArray())}");
            }

            return;
        }

        if (topic.Value.Kind == VehicleTopicKind.Commands && CommandId(e.ApplicationMessage.Payload) is { } id)
        {
            await AckAsync(car, id, CommandAckStatus.Accepted);
            await AckAsync(car, id, CommandAckStatus.Completed);
            stats.CountCommandCompleted();
        }
    }

    private static Task AckAsync(SimulatedCar car, string id, CommandAckStatus status)
    {
        var buffer = new ArrayBufferWriter<byte>(96);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", id);
            json.WriteString("status", WireName.Of(status));
            json.WriteEndObject();
        }

        return car.Client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(VehicleTopic.Of(car.Vin, VehicleTopicKind.CommandAck))
            .WithPayload(buffer.WrittenSpan.ToArray())
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
    }

    private static string? CommandId(ReadOnlySequence<byte> payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            return document.RootElement.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
