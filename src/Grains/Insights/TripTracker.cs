using DigitalTwin.Contract.Events;
using DigitalTwin.Grains.Abstractions.Insights;

namespace DigitalTwin.Grains.Insights;

/// <summary>
/// Finds one car's trips in its telemetry, on the car's own sample times, so that a replayed or delayed stream gives
/// the same trips. A trip starts with the first moving sample and ends when the ignition goes <c>OFF</c>, after a
/// standstill of <see cref="TripOptions.EndAfterStandstill"/>, or after no sample for <see cref="TripOptions.EndAfterDataGap"/>;
/// it ends at its last moving sample. Samples not newer than the last one are ignored.
/// </summary>
public sealed class TripTracker
{
    private const string IgnitionOff = "OFF";

    private readonly string _vin;
    private readonly TripOptions _trips;
    private readonly InsightsOptions _insights;
    private readonly long _standstillMs;
    private readonly long _dataGapMs;
    private readonly List<BehaviourEvent> _scratch = [];
    private BehaviourDetector _detector;

    // What the car last said, across trips: a trip starts from the car's state just before it moved.
    private long _lastTs = long.MinValue;
    private double? _speed;
    private double? _latitude;
    private double? _longitude;
    private double? _odometer;
    private double? _soc;
    private double? _netCapacity;
    private bool _sendsSpeed;
    private (double Latitude, double Longitude)? _parkedAt;

    public TripTracker(string vin, TripOptions trips, InsightsOptions insights, OpenTrip? resume = null)
    {
        _vin = vin;
        _trips = trips;
        _insights = insights;
        _standstillMs = (long)trips.EndAfterStandstill.TotalMilliseconds;
        _dataGapMs = (long)trips.EndAfterDataGap.TotalMilliseconds;
        _detector = new BehaviourDetector(insights);
        Open = resume;
        if (resume is not null)
        {
            _lastTs = resume.LastSampleTs;
            _odometer = resume.LastOdometer;
            _soc = resume.LastSoc;
        }
    }

    /// <summary>The trip in progress, or null while parked. It is also the checkpoint to store.</summary>
    public OpenTrip? Open { get; private set; }

    /// <summary>The battery capacity the car reported, for charging sessions too.</summary>
    public double? NetCapacity => _netCapacity;

    /// <summary>Car time speeding began, while the car speeds in a trip.</summary>
    public long? SpeedingSince => Open is null ? null : _detector.SpeedingSince;

    /// <summary>The car's last reported values, from the twin, for a tracker made after the silo restarted.</summary>
    public void Prime(double? odometer, double? soc, double? netCapacity, double? latitude, double? longitude)
    {
        _odometer ??= odometer;
        _soc ??= soc;
        _netCapacity ??= netCapacity;
        _latitude ??= latitude;
        _longitude ??= longitude;
    }

    /// <summary>Applies one telemetry sample.</summary>
    /// <param name="events">Receives the behaviour events that became certain with this sample.</param>
    /// <returns>What happened to trips.</returns>
    public TripStep Observe(in InsightSample sample, List<BehaviourEvent> events)
    {
        var ts = sample.Ts;
        if (ts <= _lastTs)
        {
            return TripStep.Nothing;
        }

        Trip? finished = null;
        var discarded = false;

        // The rules that end a trip by time come first: a sample after them belongs to the next trip.
        if (Open is { } open)
        {
            if (open.StandstillSince is { } since && ts - since >= _standstillMs)
            {
                (finished, discarded) = Finish(InsightEndReasons.Standstill, open.LastMovingTs, events);
            }
            else if (ts - open.LastSampleTs >= _dataGapMs)
            {
                (finished, discarded) = Finish(InsightEndReasons.DataGap, open.LastMovingTs, events);
            }
        }

        var moving = IsMoving(sample);
        var started = false;
        if (Open is null && moving && sample.Ignition != IgnitionOff)
        {
            Open = Start(ts);
            started = true;
        }

        if (Open is { } trip)
        {
            Accumulate(trip, sample, moving, events);
        }

        Remember(sample);

        if (Open is not null && sample.Ignition == IgnitionOff)
        {
            var (last, dropped) = Finish(InsightEndReasons.IgnitionOff, ts, events);
            finished ??= last;
            discarded |= dropped;
        }

        return new TripStep(started, finished, discarded);
    }

    /// <summary>An ADAS event document (forward collision warning, lane departure warning, emergency braking) during a trip.</summary>
    public bool Observe(VehicleEvent vehicleEvent, List<BehaviourEvent> events)
    {
        ArgumentNullException.ThrowIfNull(vehicleEvent);
        if (Open is not { } trip || !IsAdasEvent(vehicleEvent.Type))
        {
            return false;
        }

        var e = BehaviourDetector.Intervention(vehicleEvent.Ts, vehicleEvent.Type, Position);
        trip.Count(e, _trips.MaxEventsPerTrip);
        events.Add(e);
        return true;
    }

    public static bool IsAdasEvent(string type) => type is AdasEventTypes.ForwardCollisionWarning or AdasEventTypes.LaneDepartureWarning or AdasEventTypes.EmergencyBraking;

    private TripPosition? Position => _latitude is { } lat && _longitude is { } lon ? new TripPosition(lat, lon) : null;

    private bool IsMoving(in InsightSample sample)
    {
        if (sample.Speed is { } speed)
        {
            return speed >= _trips.MovingSpeedKmh;
        }

        if (_sendsSpeed)
        {
            return _speed is { } last && last >= _trips.MovingSpeedKmh;
        }

        // A car that sends no speed moves when its fix leaves the spot it stood on by more than the jitter of a fix.
        if (!sample.HasPosition)
        {
            return Open is not null && Open.StandstillSince is null;
        }

        var here = (sample.Latitude!.Value, sample.Longitude!.Value);
        _parkedAt ??= _latitude is { } lat && _longitude is { } lon ? (lat, lon) : here;
        if (Geo.Meters(_parkedAt.Value.Latitude, _parkedAt.Value.Longitude, here.Item1, here.Item2) > _trips.GpsJitterMeters)
        {
            _parkedAt = here;
            return true;
        }

        return false;
    }

    private OpenTrip Start(long ts)
    {
        _detector = new BehaviourDetector(_insights);
        return new OpenTrip
        {
            StartTs = ts,
            LastSampleTs = ts,
            LastMovingTs = ts,
            StartPosition = Position,
            EndPosition = Position,
            StartOdometer = _odometer,
            LastOdometer = _odometer,
            StartSoc = _soc,
            LastSoc = _soc,
            LastFixLatitude = _latitude,
            LastFixLongitude = _longitude,
            LastFixTs = ts,
        };
    }

    private void Accumulate(OpenTrip trip, in InsightSample sample, bool moving, List<BehaviourEvent> events)
    {
        var ts = sample.Ts;
        var seconds = Math.Min(ts - trip.LastSampleTs, _standstillMs) / 1000.0;
        var speed = sample.Speed ?? _speed;

        if (speed is { } kmh)
        {
            trip.MaxSpeedKmh = Math.Max(trip.MaxSpeedKmh, kmh);
            if (kmh > _insights.SpeedLimitKmh)
            {
                trip.SpeedingSeconds += seconds;
            }

            if (kmh > _insights.EcoSpeedKmh)
            {
                trip.HighSpeedSeconds += seconds;
            }
        }

        if (moving)
        {
            trip.IdleSeconds += trip.PendingIdleSeconds;
            trip.PendingIdleSeconds = 0;
            trip.StandstillSince = null;
            trip.LastMovingTs = ts;
        }
        else
        {
            trip.PendingIdleSeconds += seconds;
            trip.StandstillSince ??= trip.LastMovingTs;
        }

        var kilometres = 0.0;
        if (sample.HasPosition)
        {
            kilometres = AddFix(trip, sample, moving) / 1000;
        }

        if (sample.Odometer is { } odometer)
        {
            trip.StartOdometer ??= odometer;
            if (trip.LastOdometer is { } lastOdometer && odometer >= lastOdometer)
            {
                // The odometer's step is the better measure of this sample's distance for fuel, too.
                kilometres = odometer - lastOdometer;
            }

            if (trip.LastOdometer is null || odometer >= trip.LastOdometer)
            {
                trip.LastOdometer = odometer;
            }
        }

        if (trip.LastConsumption is { } litresPer100Km && kilometres > 0)
        {
            trip.FuelLitres = (trip.FuelLitres ?? 0) + (litresPer100Km * kilometres / 100);
        }

        if (sample.Consumption is { } consumption)
        {
            trip.LastConsumption = consumption;
            trip.FuelLitres ??= 0;
        }

        if (sample.StateOfCharge is { } soc)
        {
            trip.StartSoc ??= soc;
            trip.LastSoc = soc;
        }

        if (moving && sample.HasPosition)
        {
            trip.EndPosition = new TripPosition(sample.Latitude!.Value, sample.Longitude!.Value);
        }

        trip.StartPosition ??= sample.HasPosition ? new TripPosition(sample.Latitude!.Value, sample.Longitude!.Value) : null;

        _scratch.Clear();
        _detector.Observe(sample, sample.HasPosition ? new TripPosition(sample.Latitude!.Value, sample.Longitude!.Value) : Position, _scratch);
        foreach (var e in _scratch)
        {
            trip.Count(e, _trips.MaxEventsPerTrip);
        }

        events.AddRange(_scratch);
        trip.LastSampleTs = ts;
    }

    /// <returns>Metres counted for this fix.</returns>
    private double AddFix(OpenTrip trip, in InsightSample sample, bool moving)
    {
        var lat = sample.Latitude!.Value;
        var lon = sample.Longitude!.Value;
        if (trip.LastFixLatitude is not { } lastLat || trip.LastFixLongitude is not { } lastLon)
        {
            (trip.LastFixLatitude, trip.LastFixLongitude, trip.LastFixTs) = (lat, lon, sample.Ts);
            return 0;
        }

        var metres = Geo.Meters(lastLat, lastLon, lat, lon);
        var seconds = (sample.Ts - trip.LastFixTs) / 1000.0;
        if (seconds > 0 && metres / seconds * 3.6 > _trips.MaxPlausibleSpeedKmh)
        {
            // A jump no car makes: the fix is wrong, the last good one stays.
            return 0;
        }

        if (!moving && metres < _trips.GpsJitterMeters)
        {
            // Standing: the fix wanders, the car does not. The last fix stays, so the wander does not add up either.
            return 0;
        }

        trip.GpsMeters += metres;
        (trip.LastFixLatitude, trip.LastFixLongitude, trip.LastFixTs) = (lat, lon, sample.Ts);
        return metres;
    }

    private void Remember(in InsightSample sample)
    {
        _lastTs = sample.Ts;
        if (sample.Speed is { } speed)
        {
            _speed = speed;
            _sendsSpeed = true;
        }

        if (sample.HasPosition)
        {
            _latitude = sample.Latitude;
            _longitude = sample.Longitude;
        }

        if (sample.Odometer is { } odometer)
        {
            _odometer = odometer;
        }

        if (sample.StateOfCharge is { } soc)
        {
            _soc = soc;
        }

        if (sample.NetCapacity is { } capacity)
        {
            _netCapacity = capacity;
        }
    }

    private (Trip? Trip, bool Discarded) Finish(string reason, long endTs, List<BehaviourEvent> events)
    {
        var open = Open!;
        Open = null;
        _parkedAt = null;

        _scratch.Clear();
        _detector.Flush(open.EndPosition, _scratch);
        foreach (var e in _scratch)
        {
            open.Count(e, _trips.MaxEventsPerTrip);
        }

        events.AddRange(_scratch);

        var trip = TripScoring.Build(_vin, open, reason, endTs, _netCapacity, _insights);
        return trip.DistanceKm < _trips.MinDistanceKm ? (null, true) : (trip, false);
    }
}

/// <param name="Started">A trip started with this sample.</param>
/// <param name="Finished">The trip this sample finished, to be stored; null when none or when it was too short.</param>
/// <param name="Discarded">A trip ended but was too short to keep.</param>
public readonly record struct TripStep(bool Started, Trip? Finished, bool Discarded)
{
    public static TripStep Nothing => default;

    public bool Ended => Finished is not null || Discarded;
}

/// <summary>The event types of the contract that are ADAS interventions.</summary>
public static class AdasEventTypes
{
    public const string ForwardCollisionWarning = "ForwardCollisionWarning";
    public const string LaneDepartureWarning = "LaneDepartureWarning";
    public const string EmergencyBraking = "EmergencyBraking";
}
