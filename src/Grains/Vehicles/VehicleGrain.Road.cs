using DigitalTwin.Contract.Events;
using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Crash;
using DigitalTwin.Grains.Abstractions.FleetQuery;
using DigitalTwin.Grains.Abstractions.Road;
using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Grains.FleetQuery;
using DigitalTwin.Grains.Road;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Grains.Vehicles;

/// <summary>
/// The twin's part in road intelligence and the fleet index: it feeds its road cell (rarely, see <see cref="RoadFeed"/>)
/// with one-way calls that never hold up the car's messages, and keeps its fleet-index entry as fresh as its stored snapshot. The options are resolved on first use so that the grain's constructor,
/// shared with every other role, stays as it is.
/// </summary>
public sealed partial class VehicleGrain
{
    private RoadFeed? _roadFeed;
    private int? _fleetPartitions;
    private CancellationToken? _stopping;

    private RoadFeed Road => _roadFeed ??= new RoadFeed(
        ServiceProvider.GetRequiredService<IOptions<HazardOptions>>().Value,
        ServiceProvider.GetRequiredService<IOptions<TrafficOptions>>().Value);

    private void ObserveRoad(TelemetryMessage message) => TellRoad(Road.Observe(_state.Vin, message, _state.Signals, time.GetUtcNow()));

    private void ObserveRoad(VehicleEvent vehicleEvent) => TellRoad(Road.Observe(_state.Vin, vehicleEvent, _state.Signals, time.GetUtcNow()));

    /// <summary>A raised crash alert is a hazard where the car stands, without waiting for a second car.</summary>
    private void ReportCrashToRoad(CrashAlert alert)
    {
        if (alert.Incident.Position is { } p)
        {
            TellRoad(RoadFeed.Crash(_state.Vin, p.Latitude, p.Longitude, p.Heading, time.GetUtcNow()));
        }
    }

    private void TellRoad((string Cell, RoadObservation Observation)? what)
    {
        if (what is { } w)
        {
            GrainFactory.GetGrain<IRoadCellGrain>(w.Cell).Observe(w.Observation).Ignore();
        }
    }

    /// <summary>
    /// Called with each snapshot the twin stages: the index sees what storage sees, coalesced the same way (at most once per
    /// <c>Persistence:FlushInterval</c>, and when the twin deactivates), so a quiet car's last state is always indexed.
    /// </summary>
    private void IndexFleet(TwinSnapshot snapshot)
    {
        // A stopping silo takes its index partitions with it; telling them would only log "silo shutting down" per twin.
        _stopping ??= ServiceProvider.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        if (_stopping.Value.IsCancellationRequested)
        {
            return;
        }

        _fleetPartitions ??= ServiceProvider.GetRequiredService<IOptions<FleetQueryOptions>>().Value.Partitions;
        GrainFactory.GetGrain<IFleetIndexGrain>(FleetQueryOptions.PartitionOf(snapshot.Vin, _fleetPartitions.Value))
            .Upsert(new FleetIndexEntry(snapshot.Vin, snapshot.Online, snapshot.LastSeenAt, snapshot.Signals))
            .Ignore();
    }
}
