using System.Diagnostics.Metrics;
using DigitalTwin.Gateway.Diagnostics;
using DigitalTwin.Gateway.Mqtt;
using DigitalTwin.Grains.Abstractions.Vehicles;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace DigitalTwin.Bench;

/// <summary>
/// The system under test: the whole silo (Orleans, embedded MQTTnet broker with token authentication, API).
/// Received = telemetry the gateway reports as applied to a twin, read from its own metric; at QoS 1 the
/// PUBACK is sent only after that, so an acknowledged publish is an applied one.
/// </summary>
/// <param name="name">The target's name in the report; the ratios and goals read <c>digitaltwin</c>, the silo as shipped.</param>
/// <param name="siloArgs">Extra settings of the silo, such as <c>--Insights:Enabled=false</c> for the insights comparison.</param>
public sealed class DigitalTwinTarget(string signingKey, string name = "digitaltwin", params string[] siloArgs) : IBenchTarget
{
    private const string MessagesInstrument = "digitaltwin.mqtt.messages";

    private WebApplication? _app;
    private MeterListener? _listener;
    private long _applied;
    private long _notApplied;

    public string Name => name;

    public string Description => "telemetry applied to twins (gateway metric outcome=applied)";

    public int Port { get; private set; }

    public long Received => Interlocked.Read(ref _applied);

    public Action<int>? ProcessedListener { get; set; }

    /// <summary>Telemetry the gateway counted with any other outcome (duplicate, rejected, failed).</summary>
    public long NotApplied => Interlocked.Read(ref _notApplied);

    public IGrainFactory Grains => _app?.Services.GetRequiredService<IGrainFactory>() ?? throw new InvalidOperationException("not started");

    public async Task StartAsync(CancellationToken cancel)
    {
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == GatewayMetrics.MeterName && instrument.Name == MessagesInstrument)
                {
                    listener.EnableMeasurementEvents(instrument, this);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((DigitalTwinTarget)state!).OnMessage(value, tags));
        _listener.Start();

        Port = Ports.Free();
        _app = BenchSilo.Build(signingKey, Port, siloArgs);
        await _app.StartAsync(cancel);
        Port = _app.Services.GetRequiredService<EmbeddedMqttBroker>().Port;
    }

    public async Task<LossCheck?> VerifyAsync(Fleet fleet, CancellationToken cancel)
    {
        var grains = Grains;
        var behind = 0;
        var missing = 0L;
        await Parallel.ForEachAsync(fleet.Cars, new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = cancel }, async (car, _) =>
        {
            var twin = await grains.GetVehicle<IVehicleTwin>(car.Vin).GetTwin();
            if (twin.LastTelemetrySeq < car.Seq)
            {
                Interlocked.Increment(ref behind);
                Interlocked.Add(ref missing, car.Seq - twin.LastTelemetrySeq);
            }
        });
        return new LossCheck(fleet.Cars.Count, behind, missing);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _app.StopAsync(timeout.Token);
            await _app.DisposeAsync();
            _app = null;
        }

        _listener?.Dispose();
        _listener = null;
    }

    private void OnMessage(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? topic = null;
        string? outcome = null;
        foreach (var tag in tags)
        {
            if (tag.Key == "topic")
            {
                topic = tag.Value as string;
            }
            else if (tag.Key == "outcome")
            {
                outcome = tag.Value as string;
            }
        }

        if (topic != "telemetry")
        {
            return;
        }

        ProcessedListener?.Invoke((int)value);

        if (outcome == "applied")
        {
            Interlocked.Add(ref _applied, value);
        }
        else
        {
            Interlocked.Add(ref _notApplied, value);
        }
    }
}
