namespace DigitalTwin.Grains.Abstractions.Preconditioning;

/// <summary>When to condition the cabin for a departure, and why. All instants are UTC.</summary>
/// <param name="StartAt">When conditioning starts; null when refused or too late.</param>
/// <param name="Lead">How long conditioning runs before departure: the planned lead, or less when started late; zero when not conditioning.</param>
/// <param name="Reason">The choice in words, for the app and for support: what drove the lead and any cut to it.</param>
[GenerateSerializer, Immutable, Alias("dt.PreconditioningPlan")]
public sealed record PreconditioningPlan(
    [property: Id(0)] DateTimeOffset DepartureAt,
    [property: Id(1)] double TargetTemperatureC,
    [property: Id(2)] DateTimeOffset? StartAt,
    [property: Id(3)] PreconditioningState State,
    [property: Id(4)] TimeSpan Lead,
    [property: Id(5)] string Reason);
