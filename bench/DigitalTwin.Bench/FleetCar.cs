using MQTTnet;
using DigitalTwin.Contract.Topics;

namespace DigitalTwin.Bench;

/// <summary>One simulated car: its MQTT client, its document and its counters.</summary>
public sealed class FleetCar(int number, string vin, IMqttClient client, MqttClientOptions options)
{
    private long _published;
    private long _failed;
    private long _lastAcknowledged;
    private int _inFlight;

    public int Number { get; } = number;
    public string Vin { get; } = vin;
    public string Topic { get; } = VehicleTopic.Of(vin, VehicleTopicKind.Telemetry);
    public IMqttClient Client { get; } = client;
    public MqttClientOptions Options { get; } = options;
    public TelemetryPayload Payload { get; } = new(number);

    /// <summary>The last seq handed to the client. Only one loop at a time writes it, so order equals seq order.</summary>
    public long Seq { get; set; }

    /// <summary>Reused payload buffers of the closed loop, one per publish in flight.</summary>
    public byte[][] Buffers { get; private set; } = [];

    /// <summary>Publishes that completed well: written (QoS 0) or acknowledged with success (QoS 1).</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Publishes that threw or were acknowledged with an error code.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>
    /// The highest seq whose publish completed well. A refused publish (the silo's backpressure answers with an error
    /// code and the car must send it again) is not a promise, so a loss check compares the twin with this, not <see cref="Seq"/>.
    /// </summary>
    public long LastAcknowledgedSeq => Interlocked.Read(ref _lastAcknowledged);

    public void EnsureBuffers(int count)
    {
        if (Buffers.Length < count)
        {
            Buffers = Enumerable.Range(0, count).Select(_ => new byte[TelemetryPayload.MaxLength]).ToArray();
        }
    }

    public void CountPublished(long seq)
    {
        Interlocked.Increment(ref _published);
        var seen = Interlocked.Read(ref _lastAcknowledged);
        while (seq > seen)
        {
            var was = Interlocked.CompareExchange(ref _lastAcknowledged, seq, seen);
            if (was == seen)
            {
                break;
            }

            seen = was;
        }
    }

    public void CountFailed() => Interlocked.Increment(ref _failed);

    public void EnterFlight() => Interlocked.Increment(ref _inFlight);

    public void LeaveFlight() => Interlocked.Decrement(ref _inFlight);
}
