using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using DigitalTwin.Testing;

namespace DigitalTwin.EndToEnd.Tests;

/// <summary>
/// Records of the ingest topics (key = VIN, the contract's documents as values, as an EMQX Kafka bridge writes them)
/// feed the twins through the same validation, seq rule and dead-lettering as MQTT. The silo runs in this process on
/// in-memory storage; the cluster tests kill silos mid-stream on PostgreSQL.
/// </summary>
public sealed class KafkaIngestEndToEndTests
{
    private const string TelemetryIn = "vehicle-telemetry-in";
    private const string EventsIn = "vehicle-events-in";
    private const string DeadLetterTopic = "vehicle-dead-letter";

    private static async Task<KafkaMockCluster> MockAsync(params string[] extraTopics)
    {
        var topics = new Dictionary<string, int>
        {
            [TelemetryIn] = 4, [EventsIn] = 2, [DeadLetterTopic] = 1,
            ["vehicle-telemetry"] = 2, ["vehicle-events"] = 1, ["vehicle-twins"] = 1, ["vehicle-alerts"] = 1, ["vehicle-commands"] = 1,
        };
        foreach (var topic in extraTopics)
        {
            topics[topic] = 2;
        }

        return await KafkaMockCluster.StartAsync(new KafkaMockClusterOptions { Brokers = 1, Topics = topics });
    }

    private static Task<SiloFixture> SiloAsync(KafkaMockCluster kafka, params string[] settings) => SiloFixture.StartAsync(
    [
        $"--Kafka:BootstrapServers={kafka.BootstrapServers}",
        "--Kafka:Ingest:CommitInterval=00:00:00.200",
        "--Kafka:Consumer:session.timeout.ms=6000",
        .. settings,
    ]);

    [Fact]
    public async Task Telemetry_and_event_records_keyed_by_vin_are_applied_to_the_twin_in_order()
    {
        await using var kafka = await MockAsync();
        await using var silo = await SiloAsync(kafka);
        var vin = Vins.Next();
        using var producer = Producer(kafka);
        for (var seq = 1; seq <= 50; seq++)
        {
            producer.Produce(TelemetryIn, Record(vin, Telemetry(seq, $"\"Vehicle.Speed\":{seq},\"Vehicle.TraveledDistance\":{seq}")));
        }

        producer.Produce(EventsIn, Record(vin, """{"ts":1764028800100,"seq":1,"type":"SosButton","data":{}}"""));
        producer.Flush(TimeSpan.FromSeconds(10));

        using var ops = silo.Operator();
        var twin = await Poll.UntilAsync(() => ops.GetTwinAsync(vin), t => t?.Number("Vehicle.Speed") == 50, TimeSpan.FromSeconds(30));
        Assert.Equal(50, twin!.Value.Number("Vehicle.TraveledDistance"));

        // The SOS event went through crash detection like one published over MQTT: one alert, one vehicle-alerts record.
        var alerts = await Poll.UntilAsync(() => ops.GetFromJsonAsync<JsonElement>($"/api/v1/vehicles/{vin}/alerts"), a => a.GetArrayLength() > 0, TimeSpan.FromSeconds(15));
        Assert.Equal(1, alerts.GetArrayLength());

        // Delivered twice (a replay), the crash record raises nothing more.
        producer.Produce(EventsIn, Record(vin, """{"ts":1764028800100,"seq":1,"type":"SosButton","data":{}}"""));
        producer.Produce(TelemetryIn, Record(vin, Telemetry(51, "\"Vehicle.Speed\":51")));
        producer.Flush(TimeSpan.FromSeconds(10));
        await Poll.UntilAsync(() => ops.GetTwinAsync(vin), t => t?.Number("Vehicle.Speed") == 51, TimeSpan.FromSeconds(30));
        using var reader = new KafkaTopicReader(kafka, "vehicle-alerts", 1, vin);
        var records = await reader.UntilAsync(r => r.Count >= 1);
        Assert.Single(records);
        Assert.Equal(1, (await ops.GetFromJsonAsync<JsonElement>($"/api/v1/vehicles/{vin}/alerts")).GetArrayLength());
    }

    [Fact]
    public async Task Poison_records_go_to_the_dead_letter_topic_with_their_reason_and_never_block_the_partition()
    {
        await using var kafka = await MockAsync();
        await using var silo = await SiloAsync(kafka, "--Mqtt:MaxPayloadBytes=1024");
        var vin = Vins.Next();
        var other = Vins.Next();
        using var producer = Producer(kafka);

        // All with the same key, so in one partition, in this order; the good record comes last.
        var partition = new TopicPartition(TelemetryIn, new Partition(0));
        producer.Produce(partition, Record(vin, "not json"));
        producer.Produce(partition, Record("not-a-vin", """{"ts":1764028800000,"seq":1,"signals":{"Vehicle.Speed":1}}"""));
        producer.Produce(partition, Record(null, """{"ts":1764028800000,"seq":1,"signals":{"Vehicle.Speed":1}}"""));
        producer.Produce(partition, Record(vin, "{\"vin\":\"" + other + "\",\"ts\":1764028800000,\"seq\":1,\"signals\":{\"Vehicle.Speed\":1}}"));
        producer.Produce(partition, Record(vin, """{"ts":1764028800000,"seq":1}"""));
        producer.Produce(partition, Record(vin, """{"ts":1764028800000,"seq":1,"signals":{"Vehicle.Speed":1},"type":"SosButton"}"""));
        producer.Produce(partition, Record(vin, Telemetry(1, "\"Vehicle.Note\":\"" + new string('x', 2000) + "\"")));
        producer.Produce(partition, Record(vin, """{"ts":1764028800000,"seq":1,"signals":{"Vehicle.Speed":-5000}}"""));
        producer.Produce(partition, Record(vin, """{"ts":1764028800000,"seq":2,"signals":{"Vehicle.Speed":42}}"""));
        producer.Flush(TimeSpan.FromSeconds(10));

        using var ops = silo.Operator();
        await Poll.UntilAsync(() => ops.GetTwinAsync(vin), t => t?.Number("Vehicle.Speed") == 42, TimeSpan.FromSeconds(30));

        var letters = await KafkaRecords.ConsumeAsync(kafka, DeadLetterTopic, r => Encoding.UTF8.GetString(r.Message.Value).Contains($"kafka:{TelemetryIn}/0@", StringComparison.Ordinal), 8);

        // Records of different cars are applied concurrently, so their dead letters come in any order: read them by offset.
        var byOffset = letters.Select(r => JsonDocument.Parse(r.Message.Value).RootElement).OrderBy(l => int.Parse(l.GetProperty("topic").GetString()!.Split('@')[1])).ToList();
        Assert.All(byOffset, l => Assert.Equal("kafka", l.GetProperty("source").GetString()));
        var reasons = byOffset.Select(l => l.GetProperty("reason").GetString()).ToList();
        Assert.Equal(
            ["malformed_json", "invalid_vin", "invalid_vin", "key_mismatch", "invalid_document", "invalid_document", "payload_too_large", "out_of_range"],
            reasons);
        Assert.Equal("not json"u8.ToArray(), byOffset[0].GetProperty("payload").GetBytesFromBase64());
    }

    [Fact]
    public async Task A_record_delivered_twice_is_applied_once()
    {
        await using var kafka = await MockAsync();
        await using var silo = await SiloAsync(kafka);
        var vin = Vins.Next();
        using var producer = Producer(kafka);
        for (var copy = 0; copy < 3; copy++)
        {
            producer.Produce(TelemetryIn, Record(vin, """{"ts":1764028800001,"seq":1,"signals":{"Vehicle.Speed":11}}"""));
        }

        producer.Produce(TelemetryIn, Record(vin, """{"ts":1764028800002,"seq":2,"signals":{"Vehicle.TraveledDistance":2}}"""));
        producer.Flush(TimeSpan.FromSeconds(10));

        using var ops = silo.Operator();
        await Poll.UntilAsync(() => ops.GetTwinAsync(vin), t => t?.Number("Vehicle.TraveledDistance") == 2, TimeSpan.FromSeconds(30));
        var history = await ops.GetFromJsonAsync<JsonElement>($"/api/v1/vehicles/{vin}/telemetry?signal=Vehicle.Speed&from=2025-11-25T00:00:00Z&to=2025-11-26T00:00:00Z");
        Assert.Equal(1, history.GetProperty("points").GetArrayLength());
    }

    [Fact]
    public async Task What_one_deployment_publishes_on_vehicle_telemetry_feeds_the_twins_of_another()
    {
        // Upstream: cars over MQTT, records out. Downstream: no cars, fed only by upstream's vehicle-telemetry topic.
        await using var kafka = await MockAsync("downstream-telemetry", "downstream-events", "downstream-dead-letter");
        await using var upstream = await SiloAsync(kafka, "--Kafka:Ingest:Topics=");
        await using var downstream = await SiloAsync(
            kafka,
            "--Kafka:Ingest:Topics=vehicle-telemetry",
            "--Kafka:Ingest:GroupId=downstream",
            "--Kafka:Topics:Telemetry=downstream-telemetry",
            "--Kafka:Topics:Events=downstream-events",
            "--Kafka:Topics:DeadLetter=downstream-dead-letter",
            "--Kafka:Topics:Twins=downstream-twins",
            "--Kafka:Topics:Alerts=downstream-alerts",
            "--Kafka:Topics:Commands=downstream-commands",
            "--Kafka:Topics:Trips=downstream-trips");
        var vin = Vins.Next();
        await using var car = upstream.Car(vin);
        await car.ConnectAsync();
        for (var seq = 1; seq <= 5; seq++)
        {
            Assert.True((await car.TelemetryAsync(seq, "{\"Vehicle.Speed\":" + (seq * 10) + "}")).IsSuccess);
        }

        using var ops = downstream.Operator();
        var twin = await Poll.UntilAsync(() => ops.GetTwinAsync(vin), t => t?.Number("Vehicle.Speed") == 50, TimeSpan.FromSeconds(30));
        Assert.Equal(vin, twin!.Value.GetProperty("vin").GetString());
    }

    private static IProducer<string?, byte[]> Producer(KafkaMockCluster kafka) =>
        new ProducerBuilder<string?, byte[]>(new ProducerConfig { BootstrapServers = kafka.BootstrapServers, EnableIdempotence = true, Acks = Acks.All }).Build();

    private static string Telemetry(long seq, string signals) =>
        "{\"ts\":" + (1764028800000 + seq) + ",\"seq\":" + seq + ",\"signals\":{" + signals + "}}";

    private static Message<string?, byte[]> Record(string? key, string value) => new() { Key = key, Value = Encoding.UTF8.GetBytes(value) };
}
