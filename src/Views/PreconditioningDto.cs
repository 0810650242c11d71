using DigitalTwin.Contract;
using DigitalTwin.Grains.Abstractions.Preconditioning;

namespace DigitalTwin.Views;

/// <param name="PlannedStartAt">When the cabin starts to heat or cool; null when refused or too late.</param>
/// <param name="State">scheduled, started, refused or tooLate.</param>
/// <param name="Reason">How the plan was reached, in words.</param>
public sealed record PreconditioningDto(
    DateTimeOffset DepartureAt,
    double TargetTemperatureC,
    DateTimeOffset? PlannedStartAt,
    string State,
    double LeadMinutes,
    string Reason)
{
    public static PreconditioningDto? From(PreconditioningPlan? plan) => plan is null
        ? null
        : new PreconditioningDto(
            plan.DepartureAt,
            plan.TargetTemperatureC,
            plan.StartAt,
            WireName.Of(plan.State),
            plan.Lead.TotalMinutes,
            plan.Reason);
}
