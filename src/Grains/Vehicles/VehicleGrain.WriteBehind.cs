using DigitalTwin.Grains.Abstractions.Vehicles;

namespace DigitalTwin.Grains.Vehicles;

/// <summary>
/// Write-behind: a changed twin hands its snapshot to the store at most once per flush interval, and when it
/// deactivates. A timer runs only while changes keep coming. Each snapshot the store takes is also the twin's change for
/// the change feed (<c>vehicle-twins</c>): a car that sends ten samples a second makes one record per flush interval,
/// not ten, and the last record of a car is the state storage has.
/// </summary>
public sealed partial class VehicleGrain
{
    private const long NeverStaged = long.MinValue / 2;

    private readonly TimeSpan _flushInterval = options.Value.FlushInterval;
    private bool _dirty;
    private long _stagedAt = NeverStaged;
    private IGrainTimer? _flushTimer;

    /// <summary>
    /// Call after every change of the twin, the last one of a request included: a twin that staged nothing for a
    /// whole flush interval stages at once, so what changes after this call in the same request waits for the next.
    /// </summary>
    private void MarkDirty()
    {
        _dirty = true;
        if (_flushTimer is not null)
        {
            return;
        }

        // A car that sends less often than the flush interval, like a parked one, never needs the timer: besides
        // its ticks, Orleans keeps ~400 B per activation for the first timer a grain registers, until it deactivates.
        var waitMs = (long)_flushInterval.TotalMilliseconds - (Environment.TickCount64 - _stagedAt);
        if (waitMs <= 0)
        {
            Flush();
            if (!_dirty)
            {
                return;
            }

            // The store was full: the timer tries again.
            waitMs = (long)_flushInterval.TotalMilliseconds;
        }

        _flushTimer = this.RegisterGrainTimer(
            static (grain, _) => grain.OnFlushTimer(),
            this,
            new GrainTimerCreationOptions(TimeSpan.FromMilliseconds(waitMs), _flushInterval) { KeepAlive = false });
    }

    private Task OnFlushTimer()
    {
        if (!Flush())
        {
            // Quiet twins cost no timer ticks.
            _flushTimer?.Dispose();
            _flushTimer = null;
        }

        return Task.CompletedTask;
    }

    /// <returns>True when there was something to stage, staged or refused by a full store (then it stays dirty and the timer tries again).</returns>
    private bool Flush()
    {
        if (!_dirty)
        {
            return false;
        }

        var snapshot = _state.ToSnapshot();
        if (store.Stage(snapshot))
        {
            changeFeed.Publish(_state.Vin, new TwinChanged(snapshot.Version, snapshot));
            IndexFleet(snapshot);
            _dirty = false;
        }

        _stagedAt = Environment.TickCount64;
        return true;
    }

    public async ValueTask<PersistedTwin> Persist()
    {
        // Everything this twin applied so far is in the snapshot staged here (or an earlier one).
        Flush();
        if (_dirty)
        {
            return new PersistedTwin(false, _state.LastTelemetrySeq, _state.LastEventSeq);
        }

        var telemetrySeq = _state.LastTelemetrySeq;
        var eventSeq = _state.LastEventSeq;
        await store.WhenWrittenAsync(_state.Vin, CancellationToken.None);
        await history.WhenWrittenAsync(CancellationToken.None);
        return new PersistedTwin(true, telemetrySeq, eventSeq);
    }

    /// <summary>Storage moved past this activation: what it changed since its last stage must not overwrite that.</summary>
    private void DiscardUnstagedChanges() => _dirty = false;
}
