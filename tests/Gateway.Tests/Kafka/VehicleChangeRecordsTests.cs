using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using DigitalTwin.Contract.Kafka;
using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Gateway.Diagnostics;
using DigitalTwin.Gateway.Kafka;
using DigitalTwin.Grains.Abstractions.Commands;
using DigitalTwin.Grains.Abstractions.Crash;
using DigitalTwin.Grains.Abstractions.Insights;
using DigitalTwin.Grains.Abstractions.Telemetry;
using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Views;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DigitalTwin.Gateway.Tests.Kafka;

/// <summary>The twins' changes as records of vehicle-twins, vehicle-alerts and vehicle-commands.</summary>
public sealed class VehicleChangeRecordsTests
{
    private const string Vin = "WDD2030461A123456";
    private static readonly DateTimeOffset At = new(2026, 11, 24, 10, 0, 0, 123, TimeSpan.Zero);

    private static TwinSnapshot Twin(long version) => new()
    {
        Vin = Vin,
        Online = true,
        LastSeenAt = At,
        Version = version,
        LastTelemetrySeq = 42,
        Signals = new Dictionary<string, SignalReading>
        {
            [SignalCatalogue.Speed] = new(SignalValue.FromNumber(87.5), 1764028800123),
            ["Vehicle.Body.Lights.Hazard.IsSignaling"] = new(SignalValue.FromBoolean(false), 1764028800123),
            ["Vehicle.LowVoltageSystemState"] = new(SignalValue.FromText("ON"), 1764028800100),
        },
    };

    private static CrashAlert Alert(int revision = 1) => CrashAlert.For(Vin, new CrashIncident(
        At, At, CrashSeverity.Severe, CrashTrigger.Airbag, CrashTrigger.Airbag,
        new CrashPosition(52.52, 13.405, 90, TimeSpan.FromSeconds(1)), 2, 48, null, null, revision)) with
    {
        RaisedAt = At,
        UpdatedAt = At,
    };

    private static VehicleCommand Command(CommandState state, DateTimeOffset updatedAt = default) =>
        new(Guid.Parse("0b9b4f4e-6f1d-4c36-9a53-6f3b4b0e1c11"), "doors.lock", "{}", At, At.AddMinutes(5), state) { UpdatedAt = updatedAt };

    private static string Header(Message<string, byte[]> record, string name) => Encoding.UTF8.GetString(record.Headers.GetLastBytes(name));

    [Fact]
    public void A_staged_twin_becomes_a_record_keyed_by_vin_whose_value_is_the_api_view_of_the_twin()
    {
        var twin = Twin(17);
        var stagedAt = At.AddSeconds(1);

        var record = VehicleChangeRecords.Create(Vin, new TwinChanged(17, twin), stagedAt);

        Assert.Equal(Vin, record.Key);
        Assert.Equal(ViewJson.Serialize(TwinDto.From(twin)), record.Value);
        Assert.Equal("WDD2030461A123456/twin/17", Header(record, VehicleRecords.IdHeader));
        Assert.Equal("digitaltwin.twin.v1", Header(record, VehicleRecords.TypeHeader));
        Assert.Equal("2026-11-24T10:00:01.123Z", Header(record, VehicleRecords.TimeHeader));
        Assert.Equal(Vin, Header(record, VehicleRecords.SubjectHeader));
        Assert.Equal("application/json", Header(record, VehicleRecords.ContentTypeHeader));
        Assert.Equal("1.0", Header(record, VehicleRecords.SpecVersionHeader));
    }

    [Fact]
    public void A_twin_record_spells_members_signal_names_and_times_exactly_as_the_api_does()
    {
        var record = VehicleChangeRecords.Create(Vin, new TwinChanged(17, Twin(17)), At);

        // camelCase members, signal names as the car wrote them, in order, and a time offset whose '+' is not escaped.
        var expected = """
            {"vin":"WDD2030461A123456","online":true,"lastSeenAt":"2026-11-24T10:00:00.123+00:00","version":17,
            "signals":{"Vehicle.Body.Lights.Hazard.IsSignaling":{"value":false,"ts":1764028800123},
            "Vehicle.LowVoltageSystemState":{"value":"ON","ts":1764028800100},"Vehicle.Speed":{"value":87.5,"ts":1764028800123}},
            "crash":{"status":"none"},"preconditioning":null}
            """.ReplaceLineEndings(string.Empty);
        Assert.Equal(expected, Encoding.UTF8.GetString(record.Value));
    }

    [Fact]
    public void The_same_twin_version_produced_twice_has_the_same_id_and_a_newer_version_another()
    {
        var first = VehicleChangeRecords.Create(Vin, new TwinChanged(17, Twin(17)), At);
        var again = VehicleChangeRecords.Create(Vin, new TwinChanged(17, Twin(17)), At.AddSeconds(5));
        var newer = VehicleChangeRecords.Create(Vin, new TwinChanged(18, Twin(18)), At);

        Assert.Equal(Header(first, VehicleRecords.IdHeader), Header(again, VehicleRecords.IdHeader));
        Assert.NotEqual(Header(first, VehicleRecords.IdHeader), Header(newer, VehicleRecords.IdHeader));
    }

    [Fact]
    public void An_alert_record_is_the_api_view_of_the_alert_with_an_id_of_its_revision_and_status_and_the_time_of_its_change()
    {
        var raised = Alert();
        var acknowledged = raised with { Status = AlertStatus.Acknowledged, AcknowledgedBy = "ops-1", AcknowledgedAt = At.AddMinutes(1), UpdatedAt = At.AddMinutes(1) };
        var updated = Alert(revision: 2);

        var first = VehicleChangeRecords.Create(Vin, new AlertChanged(5, raised), At.AddHours(1));
        var second = VehicleChangeRecords.Create(Vin, new AlertChanged(6, acknowledged), At.AddHours(1));
        var third = VehicleChangeRecords.Create(Vin, new AlertChanged(7, updated), At.AddHours(1));

        Assert.Equal(Vin, first.Key);
        Assert.Equal(ViewJson.Serialize(AlertDto.From(raised)), first.Value);
        Assert.Equal($"{raised.Id}/1/open", Header(first, VehicleRecords.IdHeader));
        Assert.Equal($"{raised.Id}/1/acknowledged", Header(second, VehicleRecords.IdHeader));
        Assert.Equal($"{raised.Id}/2/open", Header(third, VehicleRecords.IdHeader));
        Assert.Equal("digitaltwin.alert.v1", Header(first, VehicleRecords.TypeHeader));
        Assert.Equal("2026-11-24T10:01:00.123Z", Header(second, VehicleRecords.TimeHeader));
        using var value = JsonDocument.Parse(second.Value);
        Assert.Equal("acknowledged", value.RootElement.GetProperty("status").GetString());
        Assert.Equal("ops-1", value.RootElement.GetProperty("acknowledgedBy").GetString());
        Assert.Equal(52.52, value.RootElement.GetProperty("position").GetProperty("latitude").GetDouble());
    }

    [Fact]
    public void Finished_trips_and_charging_sessions_go_to_vehicle_trips_as_the_api_views_them_with_their_own_ids()
    {
        var trip = new Trip(
            $"{Vin}-trip-1764028800123", Vin, At, At.AddMinutes(20), new TripPosition(52.52, 13.405), null, 12.5, DistanceSources.Odometer, 1200, 87, 37.5,
            2.5, null, 625, 92.5, 90, BehaviourCounts.None with { HarshBraking = 1 }, [new BehaviourEvent(BehaviourKinds.HarshBraking, At.AddMinutes(5), -5.5, null)], InsightEndReasons.IgnitionOff);
        var session = new ChargingSession($"{Vin}-charge-1764028800123", Vin, At, At.AddHours(1), 20, 80, 45, 80, true, InsightEndReasons.ChargingStopped);
        var topics = new KafkaTopics();

        var tripRecord = VehicleChangeRecords.Create(Vin, new TripFinished(9, trip), At.AddHours(2));
        var sessionRecord = VehicleChangeRecords.Create(Vin, new ChargingFinished(10, session), At.AddHours(2));

        Assert.Equal(("vehicle-trips", "vehicle-trips"), (VehicleChangeRecords.Topic(new TripFinished(9, trip), topics), VehicleChangeRecords.Topic(new ChargingFinished(10, session), topics)));
        Assert.Equal(Vin, tripRecord.Key);
        Assert.Equal(ViewJson.Serialize(TripDto.From(trip)), tripRecord.Value);
        Assert.Equal((trip.Id, "digitaltwin.trip.v1", "2026-11-24T10:20:00.123Z"), (Header(tripRecord, VehicleRecords.IdHeader), Header(tripRecord, VehicleRecords.TypeHeader), Header(tripRecord, VehicleRecords.TimeHeader)));
        Assert.Equal((session.Id, "digitaltwin.charging.v1"), (Header(sessionRecord, VehicleRecords.IdHeader), Header(sessionRecord, VehicleRecords.TypeHeader)));
        using var value = JsonDocument.Parse(tripRecord.Value);
        Assert.Equal("trip", value.RootElement.GetProperty("kind").GetString());
        Assert.Equal(1, value.RootElement.GetProperty("counts").GetProperty("harshBraking").GetInt32());
        using var sessionValue = JsonDocument.Parse(sessionRecord.Value);
        Assert.Equal("chargingSession", sessionValue.RootElement.GetProperty("kind").GetString());
    }

    [Fact]
    public void A_command_record_is_the_api_view_of_the_command_with_an_id_of_its_contract_status()
    {
        var pending = Command(CommandState.Pending);
        var sent = Command(CommandState.Sent, At.AddSeconds(2));
        var superseded = Command(CommandState.Superseded, At.AddSeconds(3));

        var first = VehicleChangeRecords.Create(Vin, new CommandChanged(3, pending), At.AddHours(1));
        var second = VehicleChangeRecords.Create(Vin, new CommandChanged(4, sent), At.AddHours(1));
        var third = VehicleChangeRecords.Create(Vin, new CommandChanged(5, superseded), At.AddHours(1));

        Assert.Equal(Vin, first.Key);
        Assert.Equal(ViewJson.Serialize(CommandDto.From(pending)), first.Value);
        Assert.Equal("0b9b4f4e-6f1d-4c36-9a53-6f3b4b0e1c11/pending", Header(first, VehicleRecords.IdHeader));
        Assert.Equal("0b9b4f4e-6f1d-4c36-9a53-6f3b4b0e1c11/sent", Header(second, VehicleRecords.IdHeader));
        // Superseded reads as expired in the contract, in the record's id as in its value.
        Assert.Equal("0b9b4f4e-6f1d-4c36-9a53-6f3b4b0e1c11/expired", Header(third, VehicleRecords.IdHeader));
        Assert.Equal("digitaltwin.command.v1", Header(first, VehicleRecords.TypeHeader));
        // A command never updated carries the time it was created; a moved one the time it moved.
        Assert.Equal("2026-11-24T10:00:00.123Z", Header(first, VehicleRecords.TimeHeader));
        Assert.Equal("2026-11-24T10:00:02.123Z", Header(second, VehicleRecords.TimeHeader));
    }

    [Fact]
    public void Each_kind_of_change_goes_to_the_topic_the_settings_name()
    {
        var topics = new KafkaTopics { Twins = "fleet.twins", Alerts = "fleet.alerts", Commands = "fleet.commands" };

        Assert.Equal("fleet.twins", VehicleChangeRecords.Topic(new TwinChanged(1, Twin(1)), topics));
        Assert.Equal("fleet.alerts", VehicleChangeRecords.Topic(new AlertChanged(1, Alert()), topics));
        Assert.Equal("fleet.commands", VehicleChangeRecords.Topic(new CommandChanged(1, Command(CommandState.Pending)), topics));
        Assert.Equal("vehicle-twins", VehicleChangeRecords.Topic(new TwinChanged(1, Twin(1)), new KafkaTopics()));
        Assert.Equal("vehicle-alerts", VehicleChangeRecords.Topic(new AlertChanged(1, Alert()), new KafkaTopics()));
        Assert.Equal("vehicle-commands", VehicleChangeRecords.Topic(new CommandChanged(1, Command(CommandState.Pending)), new KafkaTopics()));
    }

    [Fact]
    public void A_change_the_producer_cannot_take_is_counted_as_failed_and_never_thrown_into_the_grain()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new GatewayMetrics(services.GetRequiredService<IMeterFactory>());
        var options = Options.Create(new KafkaOptions { BootstrapServers = "127.0.0.1:9" });
        // Never started: it has no client to hand the record to.
        using var producer = new VehicleRecordProducer(options, metrics, new FakeTimeProvider(), NullLogger<VehicleRecordProducer>.Instance);
        var feed = new KafkaChangeFeed(producer, options, metrics, new FakeTimeProvider(At), NullLogger<KafkaChangeFeed>.Instance);
        var failed = new List<(string Topic, string Outcome)>();
        using var listener = Listen(failed);

        feed.Publish(Vin, new TwinChanged(1, Twin(1)));
        feed.Publish(Vin, new CommandChanged(2, Command(CommandState.Pending) with { ParamsJson = "not json" }));

        Assert.Equal([("vehicle-twins", "failed"), ("vehicle-commands", "failed")], failed);
    }

    private static MeterListener Listen(List<(string Topic, string Outcome)> records)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == GatewayMetrics.MeterName && instrument.Name == "digitaltwin.kafka.records")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? topic = null, outcome = null;
            foreach (var tag in tags)
            {
                topic = tag.Key == "topic" ? tag.Value as string : topic;
                outcome = tag.Key == "outcome" ? tag.Value as string : outcome;
            }

            lock (records)
            {
                records.Add((topic!, outcome!));
            }
        });
        listener.Start();
        return listener;
    }
}
