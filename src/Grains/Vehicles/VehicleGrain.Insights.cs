using DigitalTwin.Contract.Events;
using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Insights;
using DigitalTwin.Grains.Insights;
using DigitalTwin.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Grains.Vehicles;

/// <summary>
/// Driving insights: trips (<see cref="TripTracker"/>), behaviour and scores, charging sessions
/// (<see cref="ChargingTracker"/>) and feedback to the driver (<see cref="DrivingFeedback"/>). A finished trip or session
/// is stored before anyone hears of it, then goes on the car's stream and the change feed (<c>vehicle-trips</c>), and a
/// trip to the leaderboards of its week and month. The open trip and session are written down when they start, every
/// <see cref="TripOptions.CheckpointInterval"/> of car time and when the grain deactivates, so a restarted silo resumes them.
/// </summary>
public sealed partial class VehicleGrain
{
    // Null until the first document, and for good when insights are off: the grain's constructor is shared with every
    // other role, so these services are looked up on first use rather than injected.
    private InsightsRuntime? _insights;
    private bool _insightsOff;

    private async ValueTask ObserveInsightsAsync(TelemetryMessage message)
    {
        if (await InsightsAsync() is not { } insights)
        {
            return;
        }

        var sample = InsightSample.From(message);
        var events = insights.Events;
        events.Clear();
        var step = insights.Trips.Observe(sample, events);
        var (chargeStarted, session) = insights.Charging.Observe(sample, insights.Trips.NetCapacity);
        var tip = insights.Feedback.Observe(sample.Ts, events, insights.Trips.SpeedingSince, time.GetUtcNow());

        if (step.Finished is { } trip)
        {
            await FinishTripAsync(insights, trip);
        }

        if (session is not null)
        {
            await FinishChargingAsync(insights, session);
        }

        var open = insights.Trips.Open is not null || insights.Charging.Open is not null;
        if (step.Started || step.Ended || chargeStarted || session is not null || tip is not null
            || (open && sample.Ts - insights.CheckpointedAt >= insights.CheckpointIntervalMs))
        {
            insights.CheckpointedAt = sample.Ts;
            await CheckpointInsightsAsync();
        }

        if (tip is not null)
        {
            LogFeedback(logger, _state.Vin, tip.Type, tip.Id);
            await Notify(tip);
        }
    }

    private async ValueTask ObserveInsightsAsync(VehicleEvent vehicleEvent)
    {
        if (TripTracker.IsAdasEvent(vehicleEvent.Type) && await InsightsAsync() is { } insights)
        {
            insights.Events.Clear();
            insights.Trips.Observe(vehicleEvent, insights.Events);
        }
    }

    /// <summary>Writes the open trip, open session and feedback pacing down (or removes them when there are none).</summary>
    private async ValueTask CheckpointInsightsAsync()
    {
        if (_insights is not { } insights)
        {
            return;
        }

        var progress = new InsightsProgress
        {
            Trip = insights.Trips.Open,
            Charge = insights.Charging.Open,
            LastFeedbackTs = insights.Feedback.LastFeedbackTs,
        };
        if (progress.IsEmpty && !insights.HasCheckpoint)
        {
            return;
        }

        await insights.Store.SaveProgressAsync(_state.Vin, progress, CancellationToken.None);
        insights.HasCheckpoint = !progress.IsEmpty;
    }

    private async ValueTask FinishTripAsync(InsightsRuntime insights, Trip trip)
    {
        // Durable first; a trip stored before (a replay after a restart) is not told twice.
        if (!await insights.Store.AddTripAsync(trip, CancellationToken.None))
        {
            return;
        }

        LogTrip(logger, _state.Vin, trip.Id, trip.DistanceKm, trip.DrivingScore, trip.EcoScore);
        await PublishEventAsync(new TripFinished(_state.Bump(), trip));
        foreach (var period in LeaderboardPeriods.All)
        {
            await GrainFactory.GetGrain<ILeaderboardGrain>(LeaderboardPeriods.Key(period, trip.EndedAt)).Report(trip);
        }
    }

    private async ValueTask FinishChargingAsync(InsightsRuntime insights, ChargingSession session)
    {
        if (await insights.Store.AddChargingSessionAsync(session, CancellationToken.None))
        {
            await PublishEventAsync(new ChargingFinished(_state.Bump(), session));
        }
    }

    private async ValueTask<InsightsRuntime?> InsightsAsync()
    {
        if (_insights is not null || _insightsOff)
        {
            return _insights;
        }

        var services = ServiceProvider;
        var options = services.GetRequiredService<IOptions<InsightsOptions>>().Value;
        if (!options.Enabled)
        {
            _insightsOff = true;
            return null;
        }

        var tripOptions = services.GetRequiredService<IOptions<TripOptions>>().Value;
        var store = services.GetRequiredService<ITripStore>();
        var progress = await store.LoadProgressAsync(_state.Vin, CancellationToken.None);
        var trips = new TripTracker(_state.Vin, tripOptions, options, progress?.Trip);
        var charging = new ChargingTracker(_state.Vin, options, progress?.Charge);
        trips.Prime(Number(SignalCatalogue.TraveledDistance), Number(SignalCatalogue.StateOfCharge), Number(SignalCatalogue.NetCapacity), Number(SignalCatalogue.Latitude), Number(SignalCatalogue.Longitude));
        charging.Prime(Number(SignalCatalogue.StateOfCharge), Number(SignalCatalogue.ChargeLimit));
        if (progress?.Trip is not null || progress?.Charge is not null)
        {
            LogResumed(logger, _state.Vin, progress.Trip?.StartTs, progress.Charge?.StartTs);
        }

        _insights = new InsightsRuntime(store, trips, charging, new DrivingFeedback(_state.Vin, options, progress?.LastFeedbackTs), (long)tripOptions.CheckpointInterval.TotalMilliseconds)
        {
            HasCheckpoint = progress is not null,
            CheckpointedAt = progress?.Trip?.LastSampleTs ?? progress?.Charge?.LastTs ?? long.MinValue / 2,
        };
        return _insights;
    }

    private double? Number(string signal) => _state.Signals.TryGetValue(signal, out var reading) && reading.Value.Kind == SignalKind.Number ? reading.Value.Number : null;

    private sealed class InsightsRuntime(ITripStore store, TripTracker trips, ChargingTracker charging, DrivingFeedback feedback, long checkpointIntervalMs)
    {
        public ITripStore Store { get; } = store;
        public TripTracker Trips { get; } = trips;
        public ChargingTracker Charging { get; } = charging;
        public DrivingFeedback Feedback { get; } = feedback;
        public long CheckpointIntervalMs { get; } = checkpointIntervalMs;
        public List<BehaviourEvent> Events { get; } = [];
        public long CheckpointedAt { get; set; }
        public bool HasCheckpoint { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Trip {TripId} of {Vin}: {DistanceKm} km, driving score {DrivingScore}, eco score {EcoScore}")]
    private static partial void LogTrip(ILogger logger, string vin, string tripId, double distanceKm, double drivingScore, double ecoScore);

    [LoggerMessage(Level = LogLevel.Information, Message = "Insights of {Vin} resumed: open trip from {TripStartTs}, open charging session from {ChargeStartTs}")]
    private static partial void LogResumed(ILogger logger, string vin, long? tripStartTs, long? chargeStartTs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Driving feedback {Type} to {Vin} ({NotificationId})")]
    private static partial void LogFeedback(ILogger logger, string vin, string type, string notificationId);
}
