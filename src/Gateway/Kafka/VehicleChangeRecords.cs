using Confluent.Kafka;
using DigitalTwin.Contract.Kafka;
using DigitalTwin.Grains.Abstractions.Insights;
using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Views;

namespace DigitalTwin.Gateway.Kafka;

/// <summary>
/// A twin's change as the record of its topic: key = VIN, the value the API's view of it written with
/// <see cref="ViewJson"/> (so a <c>vehicle-twins</c> record is the very bytes <c>GET /api/v1/vehicles/{vin}</c> answers),
/// and a <c>ce_id</c> that is the same each time the same change is produced, so consumers can drop repeats.
/// </summary>
internal static class VehicleChangeRecords
{
    /// <returns>The topic of the change's kind; null for a change no topic carries.</returns>
    public static string? Topic(VehicleStreamEvent change, KafkaTopics topics) => change switch
    {
        TwinChanged => topics.Twins,
        AlertChanged => topics.Alerts,
        CommandChanged => topics.Commands,
        TripFinished or ChargingFinished => topics.Trips,
        _ => null,
    };

    /// <param name="stagedAt">
    /// <c>ce_time</c> of a twin record: when the twin staged that state. Alerts and commands carry the time of their own
    /// change (<c>updatedAt</c>).
    /// </param>
    public static Message<string, byte[]> Create(string vin, VehicleStreamEvent change, DateTimeOffset stagedAt)
    {
        switch (change)
        {
            case TwinChanged twin:
                return CloudEventRecord.Create(
                    vin,
                    VehicleRecords.TwinId(vin, twin.Twin.Version),
                    VehicleRecords.TwinType,
                    stagedAt,
                    ViewJson.Serialize(TwinDto.From(twin.Twin)));
            case AlertChanged alert:
                var alertView = AlertDto.From(alert.Alert);
                return CloudEventRecord.Create(
                    vin,
                    VehicleRecords.AlertId(alertView.Id, alertView.Revision, alertView.Status),
                    VehicleRecords.AlertType,
                    alertView.UpdatedAt,
                    ViewJson.Serialize(alertView));
            case CommandChanged command:
                var commandView = CommandDto.From(command.Command);
                return CloudEventRecord.Create(
                    vin,
                    VehicleRecords.CommandId(commandView.Id, commandView.Status),
                    VehicleRecords.CommandType,
                    commandView.UpdatedAt,
                    ViewJson.Serialize(commandView));
            case TripFinished trip:
                // A trip and a session are stored once and never change: their id is the record's id.
                return CloudEventRecord.Create(vin, trip.Trip.Id, VehicleRecords.TripType, trip.Trip.EndedAt, ViewJson.Serialize(TripDto.From(trip.Trip)));
            case ChargingFinished charging:
                return CloudEventRecord.Create(
                    vin, charging.Session.Id, VehicleRecords.ChargingSessionType, charging.Session.EndedAt, ViewJson.Serialize(ChargingSessionDto.From(charging.Session)));
            default:
                throw new ArgumentException($"no Kafka record for a {change.GetType().Name}", nameof(change));
        }
    }
}
