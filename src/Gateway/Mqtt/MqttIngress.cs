using System.Buffers;
using System.Runtime.CompilerServices;
using DigitalTwin.Contract;
using DigitalTwin.Contract.Commands;
using DigitalTwin.Contract.Events;
using DigitalTwin.Contract.Kafka;
using DigitalTwin.Contract.Status;
using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Contract.Topics;
using DigitalTwin.Gateway.DeadLetters;
using DigitalTwin.Gateway.Diagnostics;
using DigitalTwin.Gateway.Mqtt.External;
using DigitalTwin.Grains.Abstractions.Commands;
using DigitalTwin.Grains.Abstractions.Telemetry;
using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Grains.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Gateway.Mqtt;

/// <summary>
/// The one place a car's message becomes a grain call: topic check, ACL, parse, validate, apply.
/// Independent of the broker so the embedded and external modes share it. Never throws for bad input:
/// every refusal is counted by reason and dead-lettered.
/// </summary>
public sealed partial class MqttIngress(
    IGrainFactory grains,
    IAcceptedMessageSink accepted,
    ISignalHistoryWriter history,
    IOptions<PersistenceOptions> persistence,
    DeadLetterStore deadLetters,
    GatewayMetrics metrics,
    IOptions<MqttOptions> options,
    TimeProvider time,
    ILogger<MqttIngress> logger)
{
    private readonly MqttOptions _options = options.Value;

    /// <param name="clientVin">The authenticated car, or null when anonymous access is allowed.</param>
    public ValueTask<IngressResult> HandlePublishAsync(string? clientVin, string topic, ReadOnlySequence<byte> payload)
    {
        var parsedTopic = VehicleTopic.Parse(topic);
        if (!parsedTopic.IsSuccess)
        {
            return ValueTask.FromResult(Reject(clientVin, topic, parsedTopic.Error, parsedTopic.Detail, payload, "unknown"));
        }

        var target = parsedTopic.Value;
        if ((clientVin is not null || !_options.AllowAnonymous) && !TopicAcl.MayPublish(clientVin ?? string.Empty, target))
        {
            deadLetters.Add(clientVin, topic, RejectReason.NotAuthorized, "a car may publish only to its own car-to-cloud topics", payload);
            metrics.Message(KindLabel(target.Kind), "not_authorized");
            return ValueTask.FromResult(new IngressResult(IngressStatus.NotAuthorized, RejectReason.NotAuthorized));
        }

        return ApplyAsync(clientVin, topic, target, payload);
    }

    /// <summary>
    /// A message the external broker delivered on the gateway's shared subscription. The broker authenticated the car and
    /// enforced its ACL (<c>docs/operations.md</c>), so the VIN is the topic's; only car-to-cloud topics are applied.
    /// </summary>
    /// <param name="target">The topic as <see cref="VehicleTopic.Parse"/> read it (the gateway needed its VIN first).</param>
    public ValueTask<IngressResult> HandleBrokerPublishAsync(string topic, ParseResult<VehicleTopic> target, ReadOnlySequence<byte> payload)
    {
        if (!target.IsSuccess)
        {
            return ValueTask.FromResult(Reject(null, topic, target.Error!, target.Detail!, payload, "unknown"));
        }

        if (VehicleTopic.IsCloudToCar(target.Value.Kind))
        {
            // Only a misconfigured subscription brings one here: commands and notifications go to cars, not to twins.
            deadLetters.Add(null, topic, RejectReason.NotAuthorized, "commands and notifications are cloud-to-car; the gateway applies car-to-cloud topics only", payload);
            metrics.Message(KindLabel(target.Value.Kind), "not_authorized");
            return ValueTask.FromResult(new IngressResult(IngressStatus.NotAuthorized, RejectReason.NotAuthorized));
        }

        return ApplyAsync(null, topic, target.Value, payload);
    }

    /// <summary>
    /// A record of a Kafka ingest topic: key = VIN, a telemetry or event document as value, applied exactly as if the
    /// car had published it. The key is trusted like an authenticated car: whoever may write the topic speaks for it.
    /// </summary>
    /// <param name="source">Where the record came from (topic, partition, offset), for its dead letter.</param>
    public ValueTask<IngressResult> HandleRecordAsync(string? key, string source, ReadOnlySequence<byte> value)
    {
        if (value.Length > _options.MaxPayloadBytes)
        {
            return ValueTask.FromResult(Reject(key, source, RejectReason.PayloadTooLarge, TooLargeDetail(value), value, "unknown"));
        }

        var record = IngestRecord.Read(key, value);
        return record.IsSuccess
            ? ApplyAsync(key, source, record.Value, value)
            : ValueTask.FromResult(Reject(key, source, record.Error, record.Detail, value, "unknown"));
    }

    // Every message passes here and its grain call completes asynchronously: pooled builders reuse the state machine
    // boxes instead of allocating two per message.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<IngressResult> ApplyAsync(string? clientVin, string topic, VehicleTopic target, ReadOnlySequence<byte> payload)
    {
        var started = time.GetTimestamp();
        var receivedAt = time.GetUtcNow();
        var kind = KindLabel(target.Kind);
        if (payload.Length > _options.MaxPayloadBytes)
        {
            return Reject(clientVin, topic, RejectReason.PayloadTooLarge, TooLargeDetail(payload), payload, kind);
        }

        try
        {
            var result = target.Kind switch
            {
                VehicleTopicKind.Telemetry => await ApplyTelemetryAsync(clientVin, topic, target.Vin, payload, receivedAt),
                VehicleTopicKind.Events => await ApplyEventAsync(clientVin, topic, target.Vin, payload, receivedAt),
                VehicleTopicKind.Status => await ApplyStatusAsync(clientVin, topic, target.Vin, payload, receivedAt),
                VehicleTopicKind.CommandAck => await ApplyCommandAckAsync(clientVin, topic, target.Vin, payload),
                _ => IngressResult.Ignored,
            };

            metrics.Message(kind, Outcome(result));
            if (result.Status is IngressStatus.Applied or IngressStatus.Duplicate)
            {
                metrics.IngestDuration(time.GetElapsedTime(started).TotalMilliseconds, kind);
            }

            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogApplyFailed(logger, ex, target.Vin, topic);
            deadLetters.Add(clientVin, topic, RejectReason.Internal, ex.GetType().Name + ": " + ex.Message, payload);
            metrics.Message(kind, "failed");
            // The exception's text (often a multi-line Orleans trace) is for the log; the car gets a short reason it can act on.
            return new IngressResult(IngressStatus.Failed, RejectReason.Internal, "the twin could not apply the message now; send it again");
        }
    }

    private string TooLargeDetail(ReadOnlySequence<byte> payload) =>
        $"payload has {payload.Length} bytes, the limit is {_options.MaxPayloadBytes}";

    public void RefuseSubscription(string? clientId, string? topicFilter)
    {
        deadLetters.Add(clientId, topicFilter, RejectReason.NotAuthorized, "a car may subscribe only to vehicles/{its VIN}/commands", ReadOnlySequence<byte>.Empty);
        metrics.Message("subscribe", "not_authorized");
    }

    public ValueTask ConnectionOpenedAsync(string vin, string sessionId) =>
        TellAsync(vin, g => g.ConnectionOpened(sessionId, time.GetUtcNow()));

    public ValueTask ConnectionClosedAsync(string vin, string sessionId) =>
        TellAsync(vin, g => g.ConnectionClosed(sessionId, time.GetUtcNow()));

    public ValueTask CommandChannelOpenedAsync(string vin, string sessionId, ICarLink link) =>
        TellAsync(vin, g => g.CommandChannelOpened(sessionId, link));

    /// <summary>Connectivity notices are best effort: a failure is logged, never thrown into the broker.</summary>
    private async ValueTask TellAsync(string vin, Func<IVehicleConnection, ValueTask> call)
    {
        try
        {
            await call(grains.GetVehicle<IVehicleConnection>(vin));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogConnectivityFailed(logger, ex, vin);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<IngressResult> ApplyTelemetryAsync(string? clientVin, string topic, string vin, ReadOnlySequence<byte> payload, DateTimeOffset receivedAt)
    {
        var parsed = TelemetryParser.Parse(payload, receivedAt, _options.MaxPayloadBytes);
        if (!parsed.IsSuccess)
        {
            return Reject(clientVin, topic, parsed.Error, parsed.Detail, payload, null);
        }

        foreach (var rejection in parsed.Rejections)
        {
            deadLetters.Add(clientVin, topic, rejection.Reason, $"{rejection.Signal}: {rejection.Detail}", payload);
        }

        // Waiting here rather than in the twin keeps the twin free for the car's events (a crash) while its telemetry
        // waits; the twin checks again, for a twin on another silo whose history is the one behind.
        var applied = await WaitForHistoryRoomAsync(parsed.Value.Signals.Length)
            ? await grains.GetVehicle<IVehicleIngest>(vin).ApplyTelemetry(parsed.Value)
            : ApplyResult.Deferred;
        if (applied.Outcome == ApplyOutcome.Deferred)
        {
            // Not dead-lettered: nothing is wrong with the message; the twin did not take it, and the car sends it again.
            return new IngressResult(IngressStatus.Failed, RejectReason.Unavailable, "signal history is behind (Persistence:BackpressureTimeout); send it again");
        }

        if (applied.SignalsDropped > 0)
        {
            deadLetters.Add(clientVin, topic, RejectReason.TwinSignalLimit, $"{applied.SignalsDropped} new signal(s) dropped: the twin holds its maximum of distinct signals", payload);
        }

        return await ForwardAsync(new AcceptedMessage(vin, VehicleTopicKind.Telemetry, parsed.Value.Seq, applied.Outcome == ApplyOutcome.Duplicate, payload, receivedAt), applied);
    }

    private async ValueTask<bool> WaitForHistoryRoomAsync(int samples)
    {
        if (history.HasRoomFor(samples))
        {
            return true;
        }

        using var timeout = new CancellationTokenSource(persistence.Value.BackpressureTimeout, time);
        try
        {
            await history.WhenRoomForAsync(samples, timeout.Token);
            return true;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return false;
        }
    }

    private async ValueTask<IngressResult> ApplyEventAsync(string? clientVin, string topic, string vin, ReadOnlySequence<byte> payload, DateTimeOffset receivedAt)
    {
        var parsed = EventParser.Parse(payload, receivedAt, _options.MaxPayloadBytes);
        if (!parsed.IsSuccess)
        {
            return Reject(clientVin, topic, parsed.Error, parsed.Detail, payload, null);
        }

        var applied = await grains.GetVehicle<IVehicleIngest>(vin).ApplyEvent(parsed.Value);
        return await ForwardAsync(new AcceptedMessage(vin, VehicleTopicKind.Events, parsed.Value.Seq, applied.Outcome == ApplyOutcome.Duplicate, payload, receivedAt), applied);
    }

    private async ValueTask<IngressResult> ApplyStatusAsync(string? clientVin, string topic, string vin, ReadOnlySequence<byte> payload, DateTimeOffset receivedAt)
    {
        var parsed = StatusParser.Parse(payload);
        if (!parsed.IsSuccess)
        {
            return Reject(clientVin, topic, parsed.Error, parsed.Detail, payload, null);
        }

        if (_options.Mode == MqttMode.External)
        {
            await ReportBrokerSessionAsync(vin, parsed.Value.Online, receivedAt);
            return IngressResult.Applied;
        }

        await grains.GetVehicle<IVehicleIngest>(vin).ReportStatus(parsed.Value.Online, receivedAt);
        return IngressResult.Applied;
    }

    /// <summary>
    /// Behind an external broker the gateway never sees a car connect or subscribe; the car's status (published when
    /// it connects, and its Last Will) stands for both. Online opens the car's one broker session on its twin and hands
    /// it <see cref="IBrokerLink"/>, through which any silo publishes to the broker, so pending commands go out; offline
    /// closes it, and commands wait again.
    /// </summary>
    private async ValueTask ReportBrokerSessionAsync(string vin, bool online, DateTimeOffset at)
    {
        var vehicle = grains.GetVehicle<IVehicleConnection>(vin);
        if (!online)
        {
            await vehicle.ConnectionClosed(IBrokerLink.SessionId, at);
            return;
        }

        await vehicle.ConnectionOpened(IBrokerLink.SessionId, at);
        await vehicle.CommandChannelOpened(IBrokerLink.SessionId, grains.GetGrain<IBrokerLink>(0));
    }

    private async ValueTask<IngressResult> ApplyCommandAckAsync(string? clientVin, string topic, string vin, ReadOnlySequence<byte> payload)
    {
        var parsed = CommandAckParser.Parse(payload);
        if (!parsed.IsSuccess)
        {
            return Reject(clientVin, topic, parsed.Error, parsed.Detail, payload, null);
        }

        // The grain is the car's own, so an id it does not know is unknown or another car's: counted, ignored.
        var outcome = await grains.GetVehicle<IVehicleIngest>(vin).AckCommand(parsed.Value);
        switch (outcome)
        {
            case AckOutcome.Applied:
                return IngressResult.Applied;
            case AckOutcome.Duplicate:
                return IngressResult.Duplicate;
            case AckOutcome.Unknown:
                deadLetters.Add(clientVin, topic, RejectReason.UnknownCommand, $"no command {parsed.Value.Id} on this vehicle", payload);
                return IngressResult.Ignored;
            default:
                deadLetters.Add(clientVin, topic, RejectReason.InvalidTransition, $"command {parsed.Value.Id} cannot go to {parsed.Value.Status}", payload);
                return IngressResult.Ignored;
        }
    }

    private IngressResult Reject(string? clientVin, string topic, string reason, string detail, ReadOnlySequence<byte> payload, string? kindForMetrics)
    {
        deadLetters.Add(clientVin, topic, reason, detail, payload);
        if (kindForMetrics is not null)
        {
            metrics.Message(kindForMetrics, "rejected");
        }

        return new IngressResult(IngressStatus.Rejected, reason, detail);
    }

    /// <summary>The twin took the document; the car is acknowledged once whatever else must have it (Kafka) has it too.</summary>
    private async ValueTask<IngressResult> ForwardAsync(AcceptedMessage message, ApplyResult applied)
    {
        if (!await accepted.AcceptedAsync(message))
        {
            // Not dead-lettered: nothing is wrong with the message, and the car sends it again.
            return new IngressResult(IngressStatus.Failed, RejectReason.Unavailable, "the message could not be passed on now; send it again");
        }

        return applied.Outcome == ApplyOutcome.Applied ? new IngressResult(IngressStatus.Applied, Seq: message.Seq, Kind: message.Kind) : IngressResult.Duplicate;
    }

    private static string KindLabel(VehicleTopicKind kind) => kind switch
    {
        VehicleTopicKind.Telemetry => "telemetry",
        VehicleTopicKind.Events => "events",
        VehicleTopicKind.Status => "status",
        VehicleTopicKind.Commands => "commands",
        VehicleTopicKind.Notifications => "notifications",
        _ => "commands_ack",
    };

    private static string Outcome(IngressResult result) => result.Status switch
    {
        // Asked to send it again because something downstream (history, Kafka) cannot take it now: the car is slowed down.
        IngressStatus.Failed when result.Reason == RejectReason.Unavailable => "deferred",
        IngressStatus.Applied => "applied",
        IngressStatus.Duplicate => "duplicate",
        IngressStatus.Ignored => "ignored",
        IngressStatus.Rejected => "rejected",
        IngressStatus.NotAuthorized => "not_authorized",
        _ => "failed",
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Applying a message of {Vin} on {Topic} failed")]
    private static partial void LogApplyFailed(ILogger logger, Exception exception, string vin, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reporting connectivity of {Vin} failed")]
    private static partial void LogConnectivityFailed(ILogger logger, Exception exception, string vin);
}
