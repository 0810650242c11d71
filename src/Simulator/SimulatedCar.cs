using DigitalTwin.Contract.Topics;
using MQTTnet;

namespace DigitalTwin.Simulator;

/// <summary>What the fleet runner keeps per car: its connection, its physics and its sequence number.</summary>
public sealed class SimulatedCar
{
    public SimulatedCar(int number, int fleetSize, string vin, IMqttClient client, MqttClientOptions options)
    {
        Number = number;
        Vin = vin;
        Client = client;
        Options = options;

        // Seeded by the car number, so a car drives the same route in every run.
        Rng = new Random(number);
        Model = CarModel.Create(number - 1, fleetSize, Rng);
        TelemetryTopic = VehicleTopic.Of(vin, VehicleTopicKind.Telemetry);
        StatusTopic = VehicleTopic.Of(vin, VehicleTopicKind.Status);
    }

    public int Number { get; }
    public string Vin { get; }
    public IMqttClient Client { get; }
    public MqttClientOptions Options { get; }
    public Random Rng { get; }
    public CarModel Model { get; }
    public TelemetryWriter Writer { get; } = new();
    public string TelemetryTopic { get; }
    public string StatusTopic { get; }

    /// <summary>
    /// Seq of the last telemetry document sent. It starts from the run's start time in epoch milliseconds, so a
    /// second run against a twin that remembers the first one is not ignored as stale, as a real car's counter
    /// survives its restarts (holds while a car sends fewer than 1,000 messages per second).
    /// </summary>
    public long Seq { get; set; } = SeqBase;

    public static readonly long SeqBase = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public bool HasSent => Seq > SeqBase;

    public bool IsConnected { get; set; }

    /// <summary>The highest seq the broker acknowledged with success (QoS 1), or sent (QoS 0).</summary>
    public long LastAckedSeq { get; set; } = SeqBase;

    /// <summary>Completes when the car is online again after a lost connection (with <c>--reconnect</c>).</summary>
    public TaskCompletionSource Online { get; set; } = NewOnline(completed: true);

    /// <summary>Reconnections after the broker closed the connection.</summary>
    public int Reconnects { get; set; }

    /// <summary>The longest time between losing a connection and the next CONNACK.</summary>
    public TimeSpan LongestOffline { get; set; }

    public static TaskCompletionSource NewOnline(bool completed)
    {
        var online = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed)
        {
            online.SetResult();
        }

        return online;
    }
}
