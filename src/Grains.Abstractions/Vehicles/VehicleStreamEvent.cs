using DigitalTwin.Contract.Notifications;
using DigitalTwin.Grains.Abstractions.Commands;
using DigitalTwin.Grains.Abstractions.Crash;

namespace DigitalTwin.Grains.Abstractions.Vehicles;

/// <summary>One live change of a vehicle: the twin, an alert, a command or a notification sent to the car.</summary>
/// <param name="Id">Grows with every event of this vehicle: the twin's version when the event was made.</param>
[GenerateSerializer, Immutable, Alias("dt.VehicleStreamEvent")]
public abstract record VehicleStreamEvent([property: Id(0)] long Id)
{
    /// <summary>The SSE <c>event:</c> name, one of <see cref="VehicleEventTypes"/>.</summary>
    public abstract string Type { get; }
}

/// <summary>The whole twin after a change; a newer one supersedes every older one.</summary>
[GenerateSerializer, Immutable, Alias("dt.TwinChanged")]
public sealed record TwinChanged(long Id, [property: Id(0)] TwinSnapshot Twin) : VehicleStreamEvent(Id)
{
    public override string Type => VehicleEventTypes.Twin;
}

/// <summary>An alert raised or changed (acknowledged, resolved, updated by a later trigger).</summary>
[GenerateSerializer, Immutable, Alias("dt.AlertChanged")]
public sealed record AlertChanged(long Id, [property: Id(0)] CrashAlert Alert) : VehicleStreamEvent(Id)
{
    public override string Type => VehicleEventTypes.Alert;
}

/// <summary>A command created or moved to another state.</summary>
[GenerateSerializer, Immutable, Alias("dt.CommandChanged")]
public sealed record CommandChanged(long Id, [property: Id(0)] VehicleCommand Command) : VehicleStreamEvent(Id)
{
    public override string Type => VehicleEventTypes.Command;
}

/// <summary>A notification the twin sent to the car (a hazard ahead, driving feedback), for the apps watching it.</summary>
[GenerateSerializer, Immutable, Alias("dt.NotificationSent")]
public sealed record NotificationSent(long Id, [property: Id(0)] NotificationMessage Notification) : VehicleStreamEvent(Id)
{
    public override string Type => VehicleEventTypes.Notification;
}
