using DigitalTwin.Contract.Events;
using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Road;
using DigitalTwin.Grains.Abstractions.Telemetry;

namespace DigitalTwin.Grains.Road;

/// <summary>
/// What one twin tells its road cell, free of Orleans. On the hot ingest path, so it decides cheaply and rarely says
/// anything: an incident (hard braking, ABS or EBA engaging, an obstacle warning, hazard lights switched on) at once;
/// otherwise a plain sample only when the car enters another spot (geohash 7, ~150 m) or <see cref="TrafficOptions.SampleInterval"/>
/// passed. A car at 50 km/h crosses a spot in ~11 s, so a moving car speaks to its cell every 4-11 s, not per message.
/// </summary>
public sealed class RoadFeed(HazardOptions hazards, TrafficOptions traffic)
{
    /// <summary>Below this many metres between two fixes a bearing between them is noise.</summary>
    private const double MinMoveForBearingMeters = 15;

    private const string HazardLightsSignal = "Vehicle.Body.Lights.Hazard.IsSignaling";

    private long _spot = -1;
    private DateTimeOffset _sentAt = DateTimeOffset.MinValue;
    private double? _lastLat;
    private double? _lastLon;
    private double? _movementHeading;
    private bool _abs;
    private bool _eba;
    private bool _obstacle;
    private bool _hazardLights;

    /// <summary>The cell to tell and what, or null when this document changes nothing the road needs to know.</summary>
    public (string Cell, RoadObservation Observation)? Observe(string vin, TelemetryMessage message, IReadOnlyDictionary<string, SignalReading> twin, DateTimeOffset now)
    {
        var incident = RoadIncident.None;
        foreach (var sample in message.Signals)
        {
            var found = sample.Name switch
            {
                SignalCatalogue.AccelerationLongitudinal when sample.Value.Number <= -hazards.HardBrakingMps2 => RoadIncident.HardBraking,
                SignalCatalogue.AbsEngaged => Rising(ref _abs, sample.Value.AsBoolean, RoadIncident.AbsEngaged),
                SignalCatalogue.EbaEngaged => Rising(ref _eba, sample.Value.AsBoolean, RoadIncident.EmergencyBraking),
                SignalCatalogue.ObstacleWarning => Rising(ref _obstacle, sample.Value.AsBoolean, RoadIncident.Obstacle),
                HazardLightsSignal => Rising(ref _hazardLights, sample.Value.AsBoolean, RoadIncident.HazardLights),
                _ => RoadIncident.None,
            };
            if (found > incident)
            {
                incident = found;
            }
        }

        return Decide(vin, twin, incident, now);
    }

    /// <summary>The car's own events: emergency braking and a forward collision warning are incidents like their signals.</summary>
    public (string Cell, RoadObservation Observation)? Observe(string vin, VehicleEvent vehicleEvent, IReadOnlyDictionary<string, SignalReading> twin, DateTimeOffset now)
    {
        var incident = vehicleEvent.Type switch
        {
            "EmergencyBraking" => RoadIncident.EmergencyBraking,
            "ForwardCollisionWarning" => RoadIncident.Obstacle,
            _ => RoadIncident.None,
        };
        return incident == RoadIncident.None ? null : Decide(vin, twin, incident, now);
    }

    /// <summary>A crash alert's position: a hazard at once, whatever the feed's rhythm.</summary>
    public static (string Cell, RoadObservation Observation) Crash(string vin, double latitude, double longitude, double? heading, DateTimeOffset now) =>
        (Geohash.Encode(latitude, longitude, Geohash.CellPrecision), new RoadObservation(vin, now, latitude, longitude, heading, 0, RoadIncident.Crash));

    private (string Cell, RoadObservation Observation)? Decide(string vin, IReadOnlyDictionary<string, SignalReading> twin, RoadIncident incident, DateTimeOffset now)
    {
        if (!twin.TryGetValue(SignalCatalogue.Latitude, out var lat) || !twin.TryGetValue(SignalCatalogue.Longitude, out var lon))
        {
            return null;
        }

        var latitude = lat.Value.Number;
        var longitude = lon.Value.Number;
        var spot = Geohash.EncodeBits(latitude, longitude, Geohash.SpotPrecision);
        var moved = spot != _spot;
        if (incident == RoadIncident.None && !moved && now - _sentAt < traffic.SampleInterval)
        {
            return null;
        }

        if (_lastLat is { } prevLat && _lastLon is { } prevLon
            && GeoMath.DistanceMeters(prevLat, prevLon, latitude, longitude) >= MinMoveForBearingMeters)
        {
            _movementHeading = GeoMath.BearingDegrees(prevLat, prevLon, latitude, longitude);
        }

        _spot = spot;
        _sentAt = now;
        _lastLat = latitude;
        _lastLon = longitude;
        double? heading = twin.TryGetValue(SignalCatalogue.Heading, out var h) ? h.Value.Number : _movementHeading;
        double? speed = twin.TryGetValue(SignalCatalogue.Speed, out var s) ? s.Value.Number : null;
        return (Geohash.FromBits(spot >> 5, Geohash.CellPrecision), new RoadObservation(vin, now, latitude, longitude, heading, speed, incident));
    }

    private static RoadIncident Rising(ref bool state, bool value, RoadIncident incident)
    {
        var rising = value && !state;
        state = value;
        return rising ? incident : RoadIncident.None;
    }
}
