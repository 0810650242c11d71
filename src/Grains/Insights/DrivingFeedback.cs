using System.Buffers;
using System.Text.Json;
using DigitalTwin.Contract.Notifications;
using DigitalTwin.Grains.Abstractions.Insights;

namespace DigitalTwin.Grains.Insights;

/// <summary>
/// Decides when a pattern is worth telling the driver: <see cref="InsightsOptions.FeedbackHarshEvents"/> harsh
/// accelerations (an eco tip: they cost energy) or harsh brakes (a safety tip) within
/// <see cref="InsightsOptions.FeedbackWindow"/>, or speeding without a break for
/// <see cref="InsightsOptions.FeedbackSpeedingDuration"/>. At most one tip per car per
/// <see cref="InsightsOptions.FeedbackMinInterval"/> of car time, each carrying its evidence.
/// </summary>
public sealed class DrivingFeedback(string vin, InsightsOptions options, long? lastFeedbackTs = null)
{
    private readonly long _windowMs = (long)options.FeedbackWindow.TotalMilliseconds;
    private readonly long _minIntervalMs = (long)options.FeedbackMinInterval.TotalMilliseconds;
    private readonly long _speedingMs = (long)options.FeedbackSpeedingDuration.TotalMilliseconds;
    private readonly Queue<BehaviourEvent> _accelerations = new();
    private readonly Queue<BehaviourEvent> _brakes = new();

    /// <summary>Car time of the last tip, kept in the checkpoint so that a restart does not reset the pacing.</summary>
    public long? LastFeedbackTs { get; private set; } = lastFeedbackTs;

    /// <param name="ts">Car time of the sample that brought <paramref name="events"/>.</param>
    /// <param name="speedingSince">Car time the current speeding began, while the car speeds.</param>
    /// <param name="now">The domain clock, for when the tip expires in the car.</param>
    public NotificationMessage? Observe(long ts, IReadOnlyList<BehaviourEvent> events, long? speedingSince, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(events);
        foreach (var e in events)
        {
            if (e.Kind == BehaviourKinds.HarshAcceleration)
            {
                _accelerations.Enqueue(e);
            }
            else if (e.Kind == BehaviourKinds.HarshBraking)
            {
                _brakes.Enqueue(e);
            }
        }

        Expire(_accelerations, ts);
        Expire(_brakes, ts);

        if (LastFeedbackTs is { } last && ts - last < _minIntervalMs)
        {
            return null;
        }

        NotificationMessage? tip = null;
        if (_accelerations.Count >= options.FeedbackHarshEvents)
        {
            tip = Tip(ts, now, NotificationTypes.EcoTip, BehaviourKinds.HarshAcceleration,
                "Gentler acceleration saves energy: several harsh accelerations in the last minutes.", _accelerations.ToList(), null);
            _accelerations.Clear();
        }
        else if (_brakes.Count >= options.FeedbackHarshEvents)
        {
            tip = Tip(ts, now, NotificationTypes.SafetyTip, BehaviourKinds.HarshBraking,
                "Keep more distance: several harsh brakes in the last minutes.", _brakes.ToList(), null);
            _brakes.Clear();
        }
        else if (speedingSince is { } since && ts - since >= _speedingMs)
        {
            tip = Tip(ts, now, NotificationTypes.SafetyTip, BehaviourKinds.Speeding,
                $"Above {options.SpeedLimitKmh:0} km/h for {(ts - since) / 1000} s.", [], since);
        }

        if (tip is not null)
        {
            LastFeedbackTs = ts;
        }

        return tip;
    }

    private void Expire(Queue<BehaviourEvent> queue, long ts)
    {
        while (queue.TryPeek(out var oldest) && ts - oldest.At.ToUnixTimeMilliseconds() > _windowMs)
        {
            queue.Dequeue();
        }
    }

    private NotificationMessage Tip(long ts, DateTimeOffset now, string type, string kind, string message, List<BehaviourEvent> evidence, long? since)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("kind", kind);
            json.WriteString("message", message);
            json.WriteString("observedAt", DateTimeOffset.FromUnixTimeMilliseconds(ts));
            if (since is { } start)
            {
                json.WriteString("since", DateTimeOffset.FromUnixTimeMilliseconds(start));
                json.WriteNumber("limitKmh", options.SpeedLimitKmh);
            }

            json.WriteStartArray("evidence");
            foreach (var e in evidence)
            {
                json.WriteStartObject();
                json.WriteString("at", e.At);
                if (e.Value is { } value)
                {
                    json.WriteNumber("valueMps2", value);
                }

                if (e.Position is { } position)
                {
                    json.WriteNumber("latitude", position.Latitude);
                    json.WriteNumber("longitude", position.Longitude);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return new NotificationMessage(
            vin,
            $"{vin}-{kind}-{ts}",
            type,
            now,
            now + options.FeedbackTtl,
            System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
