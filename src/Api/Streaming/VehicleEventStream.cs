using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using DigitalTwin.Api.Diagnostics;
using DigitalTwin.Grains.Abstractions.Insights;
using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Views;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace DigitalTwin.Api.Streaming;

/// <summary>
/// Turns a vehicle's Orleans stream into one client's SSE sequence: subscribe first, then ask the grain for
/// what the client missed (so nothing falls between the two), then forward live events. Twin changes are
/// coalesced to at most <see cref="ApiOptions.MaxTwinEventsPerSecond"/>; other events go out at once, after
/// any pending twin, so event ids only grow and <c>Last-Event-ID</c> resumes without gaps.
/// </summary>
public sealed class VehicleEventStream(IClusterClient cluster, IOptions<ApiOptions> options, TimeProvider time, ApiMetrics metrics)
{
    private const int ChannelCapacity = 10_000;
    private readonly TimeSpan _twinInterval = TimeSpan.FromSeconds(1.0 / options.Value.MaxTwinEventsPerSecond);
    private readonly TimeSpan _renewEvery = VehicleStreams.WatchLease / 3;

    public async IAsyncEnumerable<SseItem<object>> ReadAsync(string vin, long? lastEventId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<VehicleStreamEvent>(new BoundedChannelOptions(ChannelCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropOldest,
        });
        var stream = cluster.GetStreamProvider(VehicleStreams.ProviderName)
            .GetStream<VehicleStreamEvent>(StreamId.Create(VehicleStreams.Namespace, vin));
        var subscription = await stream.SubscribeAsync((e, _) =>
        {
            channel.Writer.TryWrite(e);
            return Task.CompletedTask;
        });

        metrics.StreamOpened();
        try
        {
            var grain = cluster.GetVehicle<IVehicleTwin>(vin);
            var lastSent = lastEventId ?? long.MinValue;
            VehicleStreamEvent? pendingTwin = null;
            var nextTwinAt = time.GetUtcNow();
            var renewAt = time.GetUtcNow() + _renewEvery;

            foreach (var missed in await grain.Watch(lastEventId))
            {
                channel.Writer.TryWrite(missed);
            }

            while (!cancellationToken.IsCancellationRequested)
            {
                while (channel.Reader.TryRead(out var e))
                {
                    if (e.Id <= lastSent && e is not TwinChanged)
                    {
                        continue;
                    }

                    if (e is TwinChanged)
                    {
                        if (e.Id > lastSent && (pendingTwin is null || e.Id > pendingTwin.Id))
                        {
                            pendingTwin = e;
                        }

                        continue;
                    }

                    if (pendingTwin is not null && pendingTwin.Id < e.Id)
                    {
                        yield return Render(pendingTwin);
                        lastSent = pendingTwin.Id;
                        pendingTwin = null;
                    }

                    yield return Render(e);
                    lastSent = e.Id;
                }

                var now = time.GetUtcNow();
                if (pendingTwin is not null && now >= nextTwinAt)
                {
                    yield return Render(pendingTwin);
                    lastSent = pendingTwin.Id;
                    pendingTwin = null;
                    nextTwinAt = now + _twinInterval;
                }

                if (now >= renewAt)
                {
                    // Renewing the lease also returns anything the stream failed to deliver.
                    foreach (var missed in await grain.Watch(lastSent == long.MinValue ? null : lastSent))
                    {
                        channel.Writer.TryWrite(missed);
                    }

                    renewAt = now + _renewEvery;
                }

                var wakeAt = pendingTwin is null ? renewAt : (nextTwinAt < renewAt ? nextTwinAt : renewAt);
                var wait = wakeAt - time.GetUtcNow();
                if (wait > TimeSpan.Zero && !channel.Reader.TryPeek(out _))
                {
                    await WaitAsync(channel.Reader, wait, cancellationToken);
                }
            }
        }
        finally
        {
            metrics.StreamClosed();
            await subscription.UnsubscribeAsync();
        }
    }

    private async Task WaitAsync(ChannelReader<VehicleStreamEvent> reader, TimeSpan wait, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait);
        try
        {
            await reader.WaitToReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The wait ran out: time to send a coalesced twin or renew the lease.
        }
        catch (OperationCanceledException)
        {
            // The client went away; the loop ends.
        }
    }

    private SseItem<object> Render(VehicleStreamEvent e)
    {
        metrics.EventSent(e.Type);
        object data = e switch
        {
            TwinChanged twin => TwinDto.From(twin.Twin),
            AlertChanged alert => AlertDto.From(alert.Alert),
            CommandChanged command => CommandDto.From(command.Command),
            NotificationSent notification => NotificationDto.From(notification.Notification),
            TripFinished trip => TripDto.From(trip.Trip),
            ChargingFinished charging => ChargingSessionDto.From(charging.Session),
            _ => throw new InvalidOperationException($"no SSE rendering for {e.GetType().Name}"),
        };
        return new SseItem<object>(data, e.Type) { EventId = e.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) };
    }
}
