using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using DigitalTwin.Contract.Kafka;
using DigitalTwin.Testing;
using MQTTnet;
using MQTTnet.Protocol;
using static DigitalTwin.EndToEnd.Tests.KafkaTopicReader;

namespace DigitalTwin.EndToEnd.Tests;

/// <summary>
/// The silo with Kafka on, against librdkafka's mock cluster in a process of its own: the twins' changes become records
/// of vehicle-twins (coalesced per car), vehicle-alerts and vehicle-commands, whose values are what the API answers,
/// and a Kafka that is down never holds a twin up.
/// </summary>
public sealed class KafkaChangeFeedEndToEndTests
{
    private const string TwinsTopic = "vehicle-twins";
    private const string AlertsTopic = "vehicle-alerts";
    private const string CommandsTopic = "vehicle-commands";
    private const string TripsTopic = "vehicle-trips";
    private const int Partitions = 3;

    private static async Task<KafkaMockCluster> MockAsync() =>
        await KafkaMockCluster.StartAsync(new KafkaMockClusterOptions
        {
            Brokers = 1,
            Topics = new Dictionary<string, int> { [TwinsTopic] = Partitions, [AlertsTopic] = Partitions, [CommandsTopic] = Partitions, [TripsTopic] = Partitions },
        });

    private static KafkaTopicReader Reader(KafkaMockCluster kafka, string topic, string vin) => new(kafka, topic, Partitions, vin);

    private static long Version(ConsumeResult<string, byte[]> record)
    {
        using var value = JsonDocument.Parse(record.Message.Value);
        return value.RootElement.GetProperty("version").GetInt64();
    }

    private static string Status(ConsumeResult<string, byte[]> record)
    {
        using var value = JsonDocument.Parse(record.Message.Value);
        return value.RootElement.GetProperty("status").GetString()!;
    }

    /// <summary>The twin record's speed; null while the car has not reported one.</summary>
    private static double? Speed(ConsumeResult<string, byte[]> record)
    {
        using var value = JsonDocument.Parse(record.Message.Value);
        return value.RootElement.GetProperty("signals").TryGetProperty("Vehicle.Speed", out var speed)
            ? speed.GetProperty("value").GetDouble()
            : null;
    }

    [Fact]
    public async Task A_telemetry_burst_becomes_fewer_twin_records_than_messages_and_the_last_is_byte_for_byte_what_GET_answers()
    {
        const int Messages = 200;
        await using var kafka = await MockAsync();
        await using var silo = await SiloFixture.StartAsync($"--Kafka:BootstrapServers={kafka.BootstrapServers}");
        var vin = Vins.Next("WDD2030461K");
        await silo.RegisterAsync(vin, "kafka-twins");
        await using var car = silo.Car(vin);
        await car.ConnectAsync();

        for (var seq = 1; seq <= Messages; seq++)
        {
            var soc = 80 - (seq / 10);
            Assert.True((await car.TelemetryAsync(seq, $$"""{"Vehicle.Speed":{{seq % 130}},"Vehicle.Powertrain.TractionBattery.StateOfCharge.Current":{{soc}},"Vehicle.LowVoltageSystemState":"ON"}""")).IsSuccess);
        }

        using var http = silo.Operator();
        var answered = await http.GetByteArrayAsync($"/api/v1/vehicles/{vin}");
        long current;
        using (var twin = JsonDocument.Parse(answered))
        {
            current = twin.RootElement.GetProperty("version").GetInt64();
        }

        using var reader = Reader(kafka, TwinsTopic, vin);
        var records = await reader.UntilAsync(r => r.Any(x => Version(x) == current));

        Assert.InRange(records.Count, 1, Messages - 1);
        var versions = records.Select(Version).ToList();
        Assert.Equal(versions.Distinct().Order(), versions);
        Assert.Equal(answered, records[^1].Message.Value);
        Assert.All(records, r => Assert.Equal($"{vin}/twin/{Version(r)}", Header(r, VehicleRecords.IdHeader)));
        Assert.All(records, r => Assert.Equal(VehicleRecords.TwinType, Header(r, VehicleRecords.TypeHeader)));
        Assert.All(records, r => Assert.Equal(vin, Header(r, VehicleRecords.SubjectHeader)));
    }

    [Fact]
    public async Task A_finished_drive_is_exactly_one_trip_record_keyed_by_vin_whose_value_is_what_the_trips_route_answers()
    {
        await using var kafka = await MockAsync();
        await using var silo = await SiloFixture.StartAsync($"--Kafka:BootstrapServers={kafka.BootstrapServers}");
        var vin = Vins.Next("WDD2030461K");
        await silo.RegisterAsync(vin, "kafka-trips");
        await using var car = silo.Car(vin);
        await car.ConnectAsync();

        var start = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeMilliseconds();
        await InsightsEndToEndTests.DriveAsync(car, start);

        using var reader = Reader(kafka, TripsTopic, vin);
        var record = Assert.Single(await reader.UntilAsync(r => r.Count >= 1));
        using var http = silo.Operator();
        var trips = await http.GetFromJsonAsync<JsonElement>($"/api/v1/vehicles/{vin}/trips");
        var trip = Assert.Single(trips.GetProperty("items").EnumerateArray());
        var id = trip.GetProperty("id").GetString();
        Assert.Equal(vin, record.Message.Key);
        Assert.Equal(VehicleRecords.TripType, Header(record, VehicleRecords.TypeHeader));
        Assert.Equal(id, Header(record, VehicleRecords.IdHeader));
        Assert.Equal(vin, Header(record, VehicleRecords.SubjectHeader));
        using var value = JsonDocument.Parse(record.Message.Value);
        Assert.Equal("trip", value.RootElement.GetProperty("kind").GetString());
        Assert.Equal(id, value.RootElement.GetProperty("id").GetString());
        Assert.Equal(trip.GetProperty("distanceKm").GetDouble(), value.RootElement.GetProperty("distanceKm").GetDouble());
        Assert.Equal(trip.GetProperty("drivingScore").GetDouble(), value.RootElement.GetProperty("drivingScore").GetDouble());
    }

    [Fact]
    public async Task An_airbag_event_is_exactly_one_open_alert_record_and_its_acknowledgement_over_the_API_a_second_record()
    {
        await using var kafka = await MockAsync();
        await using var silo = await SiloFixture.StartAsync($"--Kafka:BootstrapServers={kafka.BootstrapServers}");
        var vin = Vins.Next("WDD2030461K");
        await silo.RegisterAsync(vin, "kafka-alerts");
        await using var car = silo.Car(vin);
        await car.ConnectAsync();
        Assert.True((await car.TelemetryAsync(1, """{"Vehicle.Speed":0,"Vehicle.CurrentLocation.Latitude":48.137,"Vehicle.CurrentLocation.Longitude":11.575}""")).IsSuccess);

        Assert.True((await car.PublishAsync($"vehicles/{vin}/events", """{"ts":1764028800500,"seq":1,"type":"AirbagDeployed","data":{}}""")).IsSuccess);

        using var reader = Reader(kafka, AlertsTopic, vin);
        var raised = Assert.Single(await reader.UntilAsync(r => r.Count >= 1));
        Assert.Equal("open", Status(raised));
        Assert.Equal(VehicleRecords.AlertType, Header(raised, VehicleRecords.TypeHeader));
        string alertId;
        using (var value = JsonDocument.Parse(raised.Message.Value))
        {
            alertId = value.RootElement.GetProperty("id").GetString()!;
            Assert.Equal("airbag", value.RootElement.GetProperty("trigger").GetString());
            Assert.Equal(48.137, value.RootElement.GetProperty("position").GetProperty("latitude").GetDouble());
        }

        Assert.Equal($"{alertId}/1/open", Header(raised, VehicleRecords.IdHeader));

        using var http = silo.Operator();
        using var acknowledge = await http.PostAsync($"/api/v1/vehicles/{vin}/alerts/{alertId}/acknowledge", null);
        Assert.Equal(HttpStatusCode.OK, acknowledge.StatusCode);
        var answered = await acknowledge.Content.ReadAsByteArrayAsync();

        var records = await reader.UntilAsync(r => r.Count >= 2);
        Assert.Equal(["open", "acknowledged"], records.Select(Status));
        Assert.Equal(answered, records[1].Message.Value);
        Assert.Equal($"{alertId}/1/acknowledged", Header(records[1], VehicleRecords.IdHeader));
    }

    [Fact]
    public async Task A_command_submitted_over_the_API_is_a_record_for_each_state_in_order_pending_sent_accepted_completed()
    {
        await using var kafka = await MockAsync();
        await using var silo = await SiloFixture.StartAsync($"--Kafka:BootstrapServers={kafka.BootstrapServers}");
        var vin = Vins.Next("WDD2030461K");
        await silo.RegisterAsync(vin, "kafka-commands");

        // The car is offline: the command waits as pending until it listens.
        var id = await silo.SubmitAsOperatorAsync(vin, """{"name":"charging.setLimit","params":{"limit":80},"ttlSeconds":600}""");
        await using var car = silo.Car(vin);
        var received = new ConcurrentQueue<Guid>();
        car.Mqtt.ApplicationMessageReceivedAsync += e =>
        {
            received.Enqueue(JsonDocument.Parse(Encoding.UTF8.GetString(e.ApplicationMessage.Payload)).RootElement.GetProperty("id").GetGuid());
            return Task.CompletedTask;
        };
        await car.ConnectAsync();
        await car.Mqtt.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter($"vehicles/{vin}/commands", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await Poll.UntilAsync(() => Task.FromResult(received.Contains(id)), found => found, TimeSpan.FromSeconds(10));
        Assert.True((await car.PublishAsync($"vehicles/{vin}/commands/ack", $$"""{"id":"{{id}}","status":"accepted"}""")).IsSuccess);
        Assert.True((await car.PublishAsync($"vehicles/{vin}/commands/ack", $$"""{"id":"{{id}}","status":"completed"}""")).IsSuccess);

        using var reader = Reader(kafka, CommandsTopic, vin);
        var records = await reader.UntilAsync(r => r.Count >= 4);

        Assert.Equal(["pending", "sent", "accepted", "completed"], records.Select(Status));
        Assert.Equal(records.Select(r => $"{id}/{Status(r)}"), records.Select(r => Header(r, VehicleRecords.IdHeader)));
        Assert.All(records, r => Assert.Equal(VehicleRecords.CommandType, Header(r, VehicleRecords.TypeHeader)));
        using var http = silo.Operator();
        Assert.Equal(await http.GetByteArrayAsync($"/api/v1/vehicles/{vin}/commands/{id}"), records[^1].Message.Value);
    }

    [Fact]
    public async Task While_kafka_is_down_telemetry_is_still_acknowledged_and_applied_and_the_twin_records_follow_once_it_is_back()
    {
        await using var kafka = await MockAsync();
        await using var silo = await SiloFixture.StartAsync(
            $"--Kafka:BootstrapServers={kafka.BootstrapServers}",
            "--Kafka:DeliveryTimeout=00:01:00",
            "--Kafka:Producer:reconnect.backoff.max.ms=500");
        var vin = Vins.Next("WDD2030461K");
        await silo.RegisterAsync(vin, "kafka-down");
        await using var car = silo.Car(vin);
        await car.ConnectAsync();
        Assert.True((await car.TelemetryAsync(1, """{"Vehicle.Speed":1}""")).IsSuccess);
        using var reader = Reader(kafka, TwinsTopic, vin);
        await reader.UntilAsync(r => r.Count >= 1);

        await kafka.BrokerDownAsync(-1);

        // Not durable: every PUBACK comes without Kafka, at once, and the twin applies every message.
        for (var seq = 2; seq <= 50; seq++)
        {
            var ack = await car.TelemetryAsync(seq, $$"""{"Vehicle.Speed":{{seq}}}""").WaitAsync(TimeSpan.FromSeconds(5));
            Assert.True(ack.IsSuccess, $"PUBACK {ack.ReasonCode} for seq {seq}");
        }

        using var http = silo.Operator();
        var twin = await http.GetFromJsonAsync<JsonElement>($"/api/v1/vehicles/{vin}");
        Assert.Equal(50, twin.GetProperty("signals").GetProperty("Vehicle.Speed").GetProperty("value").GetDouble());
        // A command's records wait for Kafka too, and the API still answers at once.
        await silo.SubmitAsOperatorAsync(vin, """{"name":"doors.lock"}""").WaitAsync(TimeSpan.FromSeconds(5));

        await kafka.BrokerUpAsync(-1);
        var current = (await http.GetFromJsonAsync<JsonElement>($"/api/v1/vehicles/{vin}")).GetProperty("version").GetInt64();
        var records = await reader.UntilAsync(r => r.Any(x => Version(x) == current), TimeSpan.FromSeconds(60));
        Assert.Equal(50, Speed(records[^1]));
    }

    [Fact]
    public async Task The_snapshot_a_twin_stages_as_the_silo_stops_still_reaches_vehicle_twins()
    {
        await using var kafka = await MockAsync();
        // A flush interval longer than the test: after its first stage, the twin stages again only when it deactivates.
        var silo = await SiloFixture.StartAsync($"--Kafka:BootstrapServers={kafka.BootstrapServers}", "--Persistence:FlushInterval=00:10:00");
        var vin = Vins.Next("WDD2030461K");
        var stopped = false;
        try
        {
            await using (var car = silo.Car(vin))
            {
                await car.ConnectAsync();
                for (var seq = 1; seq <= 5; seq++)
                {
                    Assert.True((await car.TelemetryAsync(seq, $$"""{"Vehicle.Speed":{{seq * 10}}}""")).IsSuccess);
                }
            }

            await silo.DisposeAsync();
            stopped = true;
        }
        finally
        {
            if (!stopped)
            {
                await silo.DisposeAsync();
            }
        }

        using var reader = Reader(kafka, TwinsTopic, vin);
        var records = await reader.UntilAsync(r => r.Any(x => Speed(x) == 50));
        Assert.Equal(50, Speed(records[^1]));
    }
}
