using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using DigitalTwin.Contract.Kafka;
using DigitalTwin.Testing;
using MQTTnet;

namespace DigitalTwin.EndToEnd.Tests;

/// <summary>
/// The silo with Kafka on, against librdkafka's mock cluster in a process of its own: what cars publish over MQTT
/// becomes records of the contract's topics, and in durable mode a PUBACK means the record is in Kafka.
/// </summary>
public sealed class KafkaEndToEndTests
{
    private const string TelemetryTopic = "vehicle-telemetry";
    private const string EventsTopic = "vehicle-events";
    private const string DeadLetterTopic = "vehicle-dead-letter";

    private static async Task<KafkaMockCluster> MockAsync() =>
        await KafkaMockCluster.StartAsync(new KafkaMockClusterOptions
        {
            Brokers = 1,
            Topics = new Dictionary<string, int> { [TelemetryTopic] = 3, [EventsTopic] = 3, [DeadLetterTopic] = 1 },
        });

    [Fact]
    public async Task An_accepted_telemetry_document_becomes_a_record_keyed_by_vin_with_cloudevents_headers()
    {
        await using var kafka = await MockAsync();
        await using var silo = await SiloFixture.StartAsync($"--Kafka:BootstrapServers={kafka.BootstrapServers}");
        var vin = Vins.Next();
        await using var car = silo.Car(vin);
        await car.ConnectAsync();

        Assert.True((await car.TelemetryAsync(1, """{"Vehicle.Speed":87.5}""", ts: 1764028800123)).IsSuccess);
        Assert.True((await car.PublishAsync($"vehicles/{vin}/events", """{"ts":1764028800200,"seq":1,"type":"SosButton","data":{}}""")).IsSuccess);

        var telemetry = await ConsumeAsync(kafka, TelemetryTopic, r => r.Message.Key == vin, 1);
        var record = Assert.Single(telemetry).Message;
        using (var value = JsonDocument.Parse(record.Value))
        {
            Assert.Equal(vin, value.RootElement.GetProperty("vin").GetString());
            Assert.Equal(1764028800123, value.RootElement.GetProperty("ts").GetInt64());
            Assert.Equal(87.5, value.RootElement.GetProperty("signals").GetProperty("Vehicle.Speed").GetDouble());
        }

        Assert.Equal("1.0", Header(record, VehicleRecords.SpecVersionHeader));
        Assert.Equal("digitaltwin.telemetry.v1", Header(record, VehicleRecords.TypeHeader));
        Assert.Equal(vin, Header(record, VehicleRecords.SubjectHeader));
        Assert.Equal("application/json", Header(record, VehicleRecords.ContentTypeHeader));
        Assert.Equal(VehicleRecords.Id(vin, VehicleRecords.TelemetryType, 1), Header(record, VehicleRecords.IdHeader));
        Assert.True(DateTimeOffset.TryParse(Header(record, VehicleRecords.TimeHeader), out _));
        Assert.StartsWith("/digitaltwin/", Header(record, VehicleRecords.SourceHeader));

        var events = await ConsumeAsync(kafka, EventsTopic, r => r.Message.Key == vin, 1);
        Assert.Equal("digitaltwin.event.v1", Header(Assert.Single(events).Message, VehicleRecords.TypeHeader));
    }

    [Fact]
    public async Task A_duplicate_makes_no_second_record_and_a_refused_document_goes_to_the_dead_letter_topic()
    {
        await using var kafka = await MockAsync();
        await using var silo = await SiloFixture.StartAsync($"--Kafka:BootstrapServers={kafka.BootstrapServers}");
        var vin = Vins.Next();
        await using var car = silo.Car(vin);
        await car.ConnectAsync();

        await car.TelemetryAsync(1, """{"Vehicle.Speed":10}""");
        await car.TelemetryAsync(1, """{"Vehicle.Speed":10}""");
        await car.PublishAsync($"vehicles/{vin}/telemetry", "not json");
        await car.TelemetryAsync(2, """{"Vehicle.Speed":20}""");

        var records = await ConsumeAsync(kafka, TelemetryTopic, r => r.Message.Key == vin, 2);
        Assert.Equal([1L, 2L], records.Select(r => JsonDocument.Parse(r.Message.Value).RootElement.GetProperty("seq").GetInt64()));

        // The refused document is not lost either: it is on the dead-letter topic with its reason and its bytes.
        var refused = Assert.Single(await ConsumeAsync(kafka, DeadLetterTopic, r => r.Message.Key == vin, 1)).Message;
        using var letter = JsonDocument.Parse(refused.Value);
        Assert.Equal("malformed_json", letter.RootElement.GetProperty("reason").GetString());
        Assert.Equal($"vehicles/{vin}/telemetry", letter.RootElement.GetProperty("topic").GetString());
        Assert.Equal("not json"u8.ToArray(), letter.RootElement.GetProperty("payload").GetBytesFromBase64());
        Assert.Equal("digitaltwin.deadletter.v1", Header(refused, VehicleRecords.TypeHeader));
    }

    [Fact]
    public async Task With_durable_ingest_pubacks_are_withheld_while_kafka_is_down_for_ten_seconds_and_nothing_is_lost_once_it_is_back()
    {
        const int Cars = 10;
        const int Messages = 10;
        await using var kafka = await MockAsync();
        await using var silo = await SiloFixture.StartAsync(
            $"--Kafka:BootstrapServers={kafka.BootstrapServers}",
            "--Kafka:DurableIngest=true",
            "--Kafka:DeliveryTimeout=00:01:00",
            "--Kafka:Producer:reconnect.backoff.max.ms=500");
        var cars = new List<CarClient>();
        foreach (var vin in Enumerable.Range(0, Cars).Select(_ => Vins.Next()))
        {
            var car = silo.Car(vin);
            await car.ConnectAsync();
            Assert.True((await car.TelemetryAsync(1, """{"Vehicle.Speed":10}""")).IsSuccess);
            cars.Add(car);
        }

        try
        {
            await kafka.BrokerDownAsync(-1);
            var down = DateTime.UtcNow;
            var pending = cars
                .SelectMany(car => Enumerable.Range(2, Messages).Select(seq => car.TelemetryAsync(seq, "{\"Vehicle.Speed\":" + seq + "}")))
                .ToList();

            // Kafka does not have these records, so no car may have a PUBACK for one while it is down: for ten seconds.
            using var http = silo.Http();
            await Poll.UntilAsync(() => http.GetStringAsync("/readyz"), body => body.Contains("Kafka unreachable", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
            var rest = TimeSpan.FromSeconds(10) - (DateTime.UtcNow - down);
            if (rest > TimeSpan.Zero)
            {
                await Task.WhenAny(Task.WhenAny(pending), Task.Delay(rest));
            }

            Assert.All(pending, p => Assert.False(p.IsCompleted, "a PUBACK went out for a record Kafka does not have"));

            await kafka.BrokerUpAsync(-1);
            var results = await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(90));
            Assert.All(results, r => Assert.True(r.IsSuccess, $"PUBACK {r.ReasonCode} {r.ReasonString}"));

            var vins = cars.Select(c => c.Vin).ToHashSet();
            var records = await ConsumeAsync(kafka, TelemetryTopic, r => vins.Contains(r.Message.Key), Cars * (Messages + 1));
            foreach (var group in records.GroupBy(r => r.Message.Key))
            {
                Assert.Equal(
                    Enumerable.Range(1, Messages + 1).Select(i => (long)i),
                    group.Select(r => JsonDocument.Parse(r.Message.Value).RootElement.GetProperty("seq").GetInt64()).Distinct().Order());
            }

            Assert.Equal(Cars, records.Select(r => r.Message.Key).Distinct().Count());
            await Poll.UntilAsync(() => http.GetStringAsync("/readyz"), body => !body.Contains("Kafka unreachable", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        }
        finally
        {
            foreach (var car in cars)
            {
                await car.DisposeAsync();
            }
        }
    }

    private static string Header(Message<string, byte[]> record, string name) =>
        Encoding.UTF8.GetString(record.Headers.GetLastBytes(name));

    private static Task<List<ConsumeResult<string, byte[]>>> ConsumeAsync(KafkaMockCluster kafka, string topic, Func<ConsumeResult<string, byte[]>, bool> match, int count) =>
        KafkaRecords.ConsumeAsync(kafka, topic, match, count);
}
