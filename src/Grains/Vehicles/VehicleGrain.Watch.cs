using DigitalTwin.Grains.Abstractions.Vehicles;
using Orleans.Streams;

namespace DigitalTwin.Grains.Vehicles;

/// <summary>
/// Live changes: while an API node watches the car (a renewed lease), every change goes out on the car's stream;
/// recent events other than twin changes are kept so that a client resuming with Last-Event-ID misses nothing.
/// </summary>
public sealed partial class VehicleGrain
{
    private const int RecentEventCapacity = 32;

    // Made on first use: most twins never publish an event beyond the twin itself.
    private Queue<VehicleStreamEvent>? _recentEvents;
    private DateTimeOffset _watchedUntil = DateTimeOffset.MinValue;
    private IAsyncStream<VehicleStreamEvent>? _stream;

    public ValueTask<IReadOnlyList<VehicleStreamEvent>> Watch(long? lastEventId)
    {
        _watchedUntil = time.GetUtcNow() + VehicleStreams.WatchLease;
        var missed = new List<VehicleStreamEvent>();
        if (lastEventId is null || _state.Version > lastEventId)
        {
            missed.Add(new TwinChanged(_state.Version, _state.ToSnapshot()));
        }

        missed.AddRange(_recentEvents?.Where(e => e.Id > (lastEventId ?? long.MinValue)) ?? []);
        missed.Sort(static (a, b) => a.Id.CompareTo(b.Id));
        return ValueTask.FromResult<IReadOnlyList<VehicleStreamEvent>>(missed);
    }

    private bool IsWatched => time.GetUtcNow() < _watchedUntil;

    /// <summary>
    /// Events other than twin changes (alerts, commands) go to the change feed every time, and on the stream while
    /// somebody watches; they are also kept for clients that resume with Last-Event-ID.
    /// </summary>
    private async ValueTask PublishEventAsync(VehicleStreamEvent streamEvent)
    {
        changeFeed.Publish(_state.Vin, streamEvent);

        // Its id bumped the twin's version: a change the store must see like any other.
        MarkDirty();
        _recentEvents ??= new Queue<VehicleStreamEvent>();
        _recentEvents.Enqueue(streamEvent);
        while (_recentEvents.Count > RecentEventCapacity)
        {
            _recentEvents.Dequeue();
        }

        if (IsWatched)
        {
            await PublishAsync(VehicleStream, streamEvent);
        }
    }

    private IAsyncStream<VehicleStreamEvent> VehicleStream => _stream ??=
        this.GetStreamProvider(VehicleStreams.ProviderName).GetStream<VehicleStreamEvent>(StreamId.Create(VehicleStreams.Namespace, _state.Vin));

    private async ValueTask ChangedAsync()
    {
        MarkDirty();
        if (IsWatched)
        {
            // Only while an API node holds an SSE connection for this car: unwatched twins publish nothing.
            await PublishAsync(VehicleStream, new TwinChanged(_state.Version, _state.ToSnapshot()));
        }
    }

    private async ValueTask PublishAsync<T>(IAsyncStream<T> stream, T item)
    {
        try
        {
            await stream.OnNextAsync(item);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Live delivery is best effort: the twin and the alert are already applied and stored, and
            // watchers catch up from the grain when they renew or reconnect.
            LogPublishFailed(logger, ex, _state.Vin, typeof(T).Name);
        }
    }
}
