using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using DigitalTwin.Api.Diagnostics;
using DigitalTwin.Grains.Abstractions.Crash;
using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Grains.Storage;
using DigitalTwin.Views;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace DigitalTwin.Api.Fleet;

/// <summary>
/// One SSE sequence for every car a caller may see: the vehicles of the registry (the caller's own, or all for an
/// operator, up to <see cref="ApiOptions.MaxFleetStreamVehicles"/>), each watched the way a single car's stream is
/// (subscribe, then <c>Watch</c>, renewing the lease), merged. Twin changes are cut down to what a map needs and sent
/// as one <c>vehicles</c> batch per interval; alerts go out at once. A fleet map therefore holds one connection, not
/// one per car (browsers keep six per host, and the API allows <see cref="ApiOptions.MaxStreamsPerCaller"/>).
/// </summary>
public sealed class FleetEventStream(IClusterClient cluster, IVehicleRegistry registry, IOptions<ApiOptions> options, TimeProvider time, ApiMetrics metrics)
{
    public const string VehiclesEvent = "vehicles";
    public const string AlertEvent = VehicleEventTypes.Alert;
    public const string ReadyEvent = "ready";

    private const int ChannelCapacity = 50_000;
    private const int MaxParallelGrainCalls = 16;
    private static readonly TimeSpan RefreshMembersEvery = TimeSpan.FromSeconds(30);
    private readonly TimeSpan _batchInterval = TimeSpan.FromSeconds(1.0 / options.Value.MaxTwinEventsPerSecond);
    private readonly TimeSpan _renewEvery = VehicleStreams.WatchLease / 3;

    public async IAsyncEnumerable<SseItem<object>> ReadAsync(string? owner, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<VehicleStreamEvent>(new BoundedChannelOptions(ChannelCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropOldest,
        });
        var members = new Dictionary<string, Member>(StringComparer.Ordinal);
        var pending = new Dictionary<string, TwinSnapshot>(StringComparer.Ordinal);
        var alertsSent = new Dictionary<string, (AlertStatus Status, int Revision)>(StringComparer.Ordinal);

        metrics.StreamOpened();
        try
        {
            await JoinAsync(members, await ListAsync(owner, cancellationToken), channel.Writer, cancellationToken);
            yield return new SseItem<object>(new { vehicles = members.Count, limit = options.Value.MaxFleetStreamVehicles }, ReadyEvent);

            var now = time.GetUtcNow();
            var flushAt = now;
            var renewAt = now + _renewEvery;
            var refreshAt = now + RefreshMembersEvery;
            while (!cancellationToken.IsCancellationRequested)
            {
                while (channel.Reader.TryRead(out var e))
                {
                    if (!members.TryGetValue(VinOf(e), out var member))
                    {
                        continue;
                    }

                    member.LastEventId = Math.Max(member.LastEventId ?? long.MinValue, e.Id);
                    var alert = e switch
                    {
                        TwinChanged twin => Coalesce(pending, twin.Twin),
                        AlertChanged changed => changed.Alert,
                        _ => null,
                    };
                    if (alert is not null && IsNew(alertsSent, alert))
                    {
                        metrics.EventSent(AlertEvent);
                        yield return new SseItem<object>(AlertDto.From(alert), AlertEvent);
                    }
                }

                now = time.GetUtcNow();
                if (pending.Count > 0 && now >= flushAt)
                {
                    var batch = pending.Values.Select(FleetVehicleDto.From).ToList();
                    pending.Clear();
                    flushAt = now + _batchInterval;
                    metrics.EventSent(VehiclesEvent);
                    yield return new SseItem<object>(batch, VehiclesEvent);
                }

                if (now >= refreshAt)
                {
                    // Cars registered (or handed to someone else) since the stream opened join (or leave) it.
                    var current = await ListAsync(owner, cancellationToken);
                    foreach (var gone in members.Keys.Except(current, StringComparer.Ordinal).ToList())
                    {
                        await members[gone].Subscription.UnsubscribeAsync();
                        members.Remove(gone);
                    }

                    await JoinAsync(members, current.Where(v => !members.ContainsKey(v)).ToList(), channel.Writer, cancellationToken);
                    refreshAt = now + RefreshMembersEvery;
                }

                if (now >= renewAt)
                {
                    // Renewing the lease also hands back what the stream failed to deliver since the last event seen.
                    await ForEachAsync(members.Values.ToList(), async m =>
                    {
                        foreach (var missed in await cluster.GetVehicle<IVehicleTwin>(m.Vin).Watch(m.LastEventId))
                        {
                            channel.Writer.TryWrite(missed);
                        }
                    }, cancellationToken);
                    renewAt = time.GetUtcNow() + _renewEvery;
                }

                var wakeAt = pending.Count == 0 ? renewAt : Min(flushAt, renewAt);
                wakeAt = Min(wakeAt, refreshAt);
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
            foreach (var member in members.Values)
            {
                await member.Subscription.UnsubscribeAsync();
            }
        }
    }

    /// <summary>Keeps the newest twin per car; hands back its crash alert, which the caller sends if it is news.</summary>
    private static CrashAlert? Coalesce(Dictionary<string, TwinSnapshot> pending, TwinSnapshot twin)
    {
        if (!pending.TryGetValue(twin.Vin, out var older) || older.Version < twin.Version)
        {
            pending[twin.Vin] = twin;
        }

        return twin.Crash;
    }

    private static bool IsNew(Dictionary<string, (AlertStatus Status, int Revision)> sent, CrashAlert alert)
    {
        var key = (alert.Status, alert.Incident.Revision);
        if (sent.TryGetValue(alert.Id, out var last) && last.Status >= key.Status && last.Revision >= key.Revision)
        {
            return false;
        }

        sent[alert.Id] = key;
        return true;
    }

    private static string VinOf(VehicleStreamEvent e) => e switch
    {
        TwinChanged twin => twin.Twin.Vin,
        AlertChanged alert => alert.Alert.Vin,
        _ => string.Empty, // commands carry no VIN and a map has no use for them
    };

    private async Task<List<string>> ListAsync(string? owner, CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxFleetStreamVehicles;
        var vins = new List<string>();
        string? after = null;
        do
        {
            var page = await registry.ListAsync(owner, after, Math.Min(1000, limit - vins.Count), cancellationToken);
            vins.AddRange(page.Items.Select(r => r.Vin));
            after = page.Next;
        }
        while (after is not null && vins.Count < limit);

        return vins;
    }

    private async Task JoinAsync(Dictionary<string, Member> members, IReadOnlyList<string> vins, ChannelWriter<VehicleStreamEvent> writer, CancellationToken cancellationToken)
    {
        var provider = cluster.GetStreamProvider(VehicleStreams.ProviderName);
        var joined = new Member[vins.Count];
        await ForEachAsync(Enumerable.Range(0, vins.Count).ToList(), async i =>
        {
            var vin = vins[i];
            var subscription = await provider.GetStream<VehicleStreamEvent>(StreamId.Create(VehicleStreams.Namespace, vin)).SubscribeAsync((e, _) =>
            {
                writer.TryWrite(e);
                return Task.CompletedTask;
            });
            joined[i] = new Member(vin, subscription);

            // Subscribed first, then asked for the current twin: nothing falls between the two.
            foreach (var e in await cluster.GetVehicle<IVehicleTwin>(vin).Watch(null))
            {
                writer.TryWrite(e);
            }
        }, cancellationToken);

        foreach (var member in joined)
        {
            members[member.Vin] = member;
        }
    }

    private static Task ForEachAsync<T>(IReadOnlyList<T> items, Func<T, Task> body, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = MaxParallelGrainCalls, CancellationToken = cancellationToken }, (item, _) => new ValueTask(body(item)));

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static async Task WaitAsync(ChannelReader<VehicleStreamEvent> reader, TimeSpan wait, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait);
        try
        {
            await reader.WaitToReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // The wait ran out (time to flush, renew or refresh), or the client went away and the loop ends.
        }
    }

    private sealed class Member(string vin, StreamSubscriptionHandle<VehicleStreamEvent> subscription)
    {
        public string Vin { get; } = vin;
        public StreamSubscriptionHandle<VehicleStreamEvent> Subscription { get; } = subscription;
        public long? LastEventId { get; set; }
    }
}
