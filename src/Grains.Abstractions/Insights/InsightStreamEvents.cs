using DigitalTwin.Grains.Abstractions.Vehicles;

namespace DigitalTwin.Grains.Abstractions.Insights;

/// <summary>A trip finished and was stored: on the car's stream (<c>trip</c>) and to <c>vehicle-trips</c>.</summary>
[GenerateSerializer, Immutable, Alias("dt.TripFinished")]
public sealed record TripFinished(long Id, [property: Id(0)] Trip Trip) : VehicleStreamEvent(Id)
{
    public override string Type => VehicleEventTypes.Trip;
}

/// <summary>A charging session finished and was stored: on the car's stream (<c>charging</c>) and to <c>vehicle-trips</c>.</summary>
[GenerateSerializer, Immutable, Alias("dt.ChargingFinished")]
public sealed record ChargingFinished(long Id, [property: Id(0)] ChargingSession Session) : VehicleStreamEvent(Id)
{
    public override string Type => VehicleEventTypes.Charging;
}
