using System.Text.Json;
using DigitalTwin.Contract;
using DigitalTwin.Contract.Notifications;
using DigitalTwin.Grains.Abstractions.Notifications;
using DigitalTwin.Grains.Abstractions.Road;
using DigitalTwin.Grains.Abstractions.Vehicles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Grains.Road;

/// <summary>
/// One road cell (geohash 6). Its decisions live in <see cref="HazardBoard"/> and <see cref="TrafficWindow"/>; the grain
/// tells its region what changed (for <c>bbox</c> queries), its neighbours about its hazards (a car approaching across the
/// border must hear of them) and approaching cars, once per hazard, through their twins. Its state is aggregates only,
/// kept in memory: a cell that deactivates starts learning its free-flow speed again (docs/road.md).
/// </summary>
public sealed partial class RoadCellGrain(
    IOptions<HazardOptions> hazardOptions,
    IOptions<TrafficOptions> trafficOptions,
    [FromKeyedServices(DomainClock.Key)] TimeProvider time,
    ILogger<RoadCellGrain> logger) : Grain, IRoadCellGrain
{
    // Bounds what a cell remembers of who was told about one hazard; beyond it the twin's own once-per-id check holds.
    private const int MaxNotifiedPerHazard = 4096;

    private readonly Dictionary<string, RoadHazard[]> _neighbourHazards = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _notified = new(StringComparer.Ordinal);
    private HazardBoard _board = null!;

    // What the board said at its last change: read on every observation, rebuilt only when hazards change.
    private RoadHazard[] _active = [];
    private TrafficWindow _traffic = null!;
    private string _cell = null!;
    private readonly Dictionary<TravelDirection, CongestionLevel> _publishedLevels = [];
    private DateTimeOffset _trafficPublishedAt = DateTimeOffset.MinValue;

    private HazardOptions Hazards => hazardOptions.Value;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _cell = this.GetPrimaryKeyString();
        _board = new HazardBoard(_cell, Hazards);
        _traffic = new TrafficWindow(_cell, trafficOptions.Value);
        return Task.CompletedTask;
    }

    public Task Observe(RoadObservation observation)
    {
        var now = time.GetUtcNow();
        observation = observation with { At = now };
        if (_board.Observe(observation))
        {
            PublishHazards();
        }

        var direction = observation.Incident == RoadIncident.None ? _traffic.Add(observation) : null;
        PublishTrafficIfDue(direction, now);
        if (_active.Length > 0 || _neighbourHazards.Count > 0)
        {
            NotifyIfApproaching(observation);
        }

        return Task.CompletedTask;
    }

    public Task NeighbourHazards(string cell, RoadHazard[] hazards)
    {
        if (hazards.Length == 0)
        {
            _neighbourHazards.Remove(cell);
        }
        else
        {
            _neighbourHazards[cell] = hazards;
        }

        return Task.CompletedTask;
    }

    public ValueTask<RoadHazard[]> GetHazards()
    {
        if (_board.Expire(time.GetUtcNow()))
        {
            PublishHazards();
        }

        return ValueTask.FromResult(_active);
    }

    public ValueTask<TrafficSummary[]> GetTraffic() => ValueTask.FromResult(_traffic.Summaries(time.GetUtcNow()).ToArray());

    /// <summary>At most once per <see cref="TrafficOptions.PublishInterval"/>, unless a direction's level changed: news goes out at once.</summary>
    private void PublishTrafficIfDue(TravelDirection? direction, DateTimeOffset now)
    {
        // Only the direction that just got a sample can have changed its level; the others wait for the interval.
        var levelChanged = direction is { } d && (!_publishedLevels.TryGetValue(d, out var published) || published != _traffic.Level(d, now));
        if (!levelChanged && now - _trafficPublishedAt < trafficOptions.Value.PublishInterval)
        {
            return;
        }

        var summaries = _traffic.Summaries(now);
        _trafficPublishedAt = now;
        _publishedLevels.Clear();
        foreach (var summary in summaries)
        {
            _publishedLevels[summary.Direction] = summary.Level;
        }

        Region().PublishTraffic(_cell, [.. summaries]).Ignore();
    }

    private IRoadRegionGrain Region() => GrainFactory.GetGrain<IRoadRegionGrain>(_cell[..Geohash.RegionPrecision]);

    private void PublishHazards()
    {
        var active = _active = [.. _board.Active()];
        foreach (var ended in _notified.Keys.Where(id => !active.Any(h => h.Id == id)).ToList())
        {
            _notified.Remove(ended);
        }

        LogHazards(logger, _cell, active.Length);
        Region().PublishHazards(_cell, active).Ignore();
        foreach (var neighbour in Geohash.Neighbours(_cell))
        {
            GrainFactory.GetGrain<IRoadCellGrain>(neighbour).NeighbourHazards(_cell, active).Ignore();
        }
    }

    private void NotifyIfApproaching(RoadObservation car)
    {
        var now = car.At;
        foreach (var hazard in _active.Concat(_neighbourHazards.Values.SelectMany(h => h)))
        {
            if (hazard.ExpiresAt <= now || _board.Reported(hazard.Id, car.Vin) || !HazardApproach.IsAhead(car, hazard, Hazards, out var distance))
            {
                continue;
            }

            if (!_notified.TryGetValue(hazard.Id, out var told))
            {
                _notified[hazard.Id] = told = new HashSet<string>(StringComparer.Ordinal);
            }

            if (told.Count >= MaxNotifiedPerHazard || !told.Add(car.Vin))
            {
                continue;
            }

            var notification = new NotificationMessage(car.Vin, hazard.Id, NotificationTypes.Hazard, now, hazard.ExpiresAt, DataOf(hazard, distance));
            GrainFactory.GetVehicle<IVehicleNotifications>(car.Vin).Notify(notification).AsTask().Ignore();
            LogNotified(logger, hazard.Id, distance);
        }
    }

    private static string DataOf(RoadHazard hazard, double distanceMeters)
    {
        using var buffer = new MemoryStream(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("kind", WireName.Of(hazard.Kind));
            json.WriteNumber("latitude", hazard.Latitude);
            json.WriteNumber("longitude", hazard.Longitude);
            if (hazard.Heading is { } heading)
            {
                json.WriteNumber("heading", Math.Round(heading, 1));
            }

            json.WriteNumber("distanceMeters", Math.Round(distanceMeters));
            json.WriteNumber("confirmations", hazard.Confirmations);
            json.WriteString("firstSeen", hazard.FirstSeen);
            json.WriteString("lastSeen", hazard.LastSeen);
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Road cell {Cell} has {Count} active hazards")]
    private static partial void LogHazards(ILogger logger, string cell, int count);

    // Debug: one per car and hazard.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Told an approaching car about {HazardId}, {Distance:0} m ahead")]
    private static partial void LogNotified(ILogger logger, string hazardId, double distance);
}
