using System.Diagnostics;
using System.Text.Json;
using DigitalTwin.Grains.Abstractions.Crash;
using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Grains.Crash;
using DigitalTwin.Persistence.Alerts;
using DigitalTwin.Views;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Orleans.Serialization;

namespace DigitalTwin.Silo;

/// <summary>
/// Runs a made-up crash alert through every serializer its way touches (the stored document, the Orleans codecs of the
/// stream event, the <c>emergency.ack</c> command, the API's JSON and the Kafka record's) once at start-up, without
/// storing or sending anything. Building that metadata and compiling that code cost the first crash after a start about
/// 100 ms measured in the crash benchmark, twice the latency target; a crash should not be the one that pays for it. It
/// runs before any hosted service starts (the broker and the silo among them), and a failure costs only the speed-up.
/// </summary>
internal sealed partial class CrashPathWarmup(
    Serializer serializer,
    IOptions<JsonOptions> httpJson,
    TimeProvider time,
    ILogger<CrashPathWarmup> logger) : IHostedLifecycleService
{
    public const string SampleVin = "WARMUP00000000000";

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var alert = SampleAlert(time.GetUtcNow());
            PostgresAlertStore.WarmUp(alert);
            var streamEvent = new AlertChanged(1, alert);
            _ = serializer.Deserialize<VehicleStreamEvent>(serializer.SerializeToArray<VehicleStreamEvent>(streamEvent));
            _ = EmergencyAck.For(alert, alert.RaisedAt).ToPayload();
            _ = JsonSerializer.SerializeToUtf8Bytes<object>(AlertDto.From(alert), httpJson.Value.SerializerOptions);
            // The same view for a vehicle-alerts record, which the grain writes on the crash path when Kafka is on.
            _ = ViewJson.Serialize(AlertDto.From(alert));
            LogWarmedUp(logger, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogWarmUpFailed(logger, ex);
        }

        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>An alert with every part filled in, so that no serializer meets a part for the first time later.</summary>
    internal static CrashAlert SampleAlert(DateTimeOffset now)
    {
        var incident = new CrashIncident(
            now, now, CrashSeverity.Severe, CrashTrigger.Airbag, CrashTrigger.Airbag | CrashTrigger.SevereDeceleration,
            new CrashPosition(52.52, 13.405, 90, TimeSpan.FromSeconds(1)), 1, 50, 45, 60, 1);
        return CrashAlert.For(SampleVin, incident) with
        {
            RaisedAt = now,
            UpdatedAt = now,
            AcknowledgedAt = now,
            AcknowledgedBy = "warmup",
        };
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Crash path warmed up in {Milliseconds:0.0} ms")]
    private static partial void LogWarmedUp(ILogger logger, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warming up the crash path failed; the first crash after this start will be slower")]
    private static partial void LogWarmUpFailed(ILogger logger, Exception exception);
}
