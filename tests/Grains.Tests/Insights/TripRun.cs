using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Insights;
using DigitalTwin.Grains.Insights;

namespace DigitalTwin.Grains.Tests.Insights;

/// <summary>Feeds documents to a <see cref="TripTracker"/> and keeps what came out.</summary>
internal sealed class TripRun(TripTracker tracker)
{
    public const string Vin = "WDD2030461A000017";

    public TripRun()
        : this(new TripTracker(Vin, new TripOptions(), new InsightsOptions()))
    {
    }

    public TripTracker Tracker { get; } = tracker;
    public List<Trip> Trips { get; } = [];
    public List<BehaviourEvent> Events { get; } = [];
    public int Started { get; private set; }

    public TripRun Feed(IEnumerable<TelemetryMessage> messages)
    {
        foreach (var message in messages)
        {
            var step = Tracker.Observe(InsightSample.From(message), Events);
            Started += step.Started ? 1 : 0;
            if (step.Finished is { } trip)
            {
                Trips.Add(trip);
            }
        }

        return this;
    }
}
