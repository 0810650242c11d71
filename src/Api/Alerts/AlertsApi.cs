using DigitalTwin.Api.Auth;
using DigitalTwin.Api.Paging;
using DigitalTwin.Api.Problems;
using DigitalTwin.Contract;
using DigitalTwin.Grains.Abstractions.Crash;
using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Views;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Api.Alerts;

public static class AlertsApi
{
    public const int MaxAlertIdLength = 128;

    /// <summary>Maps onto the vehicle group, so the VIN gate and the single ownership check apply.</summary>
    public static RouteGroupBuilder MapAlertsApi(this RouteGroupBuilder vehicle)
    {
        var alerts = vehicle.MapGroup("/alerts").WithTags("Alerts");

        alerts.MapGet("/", ListAlerts)
            .WithName("ListAlerts")
            .WithSummary("Crash and other alerts of the vehicle, newest first");

        alerts.MapPost("/{alertId}/acknowledge", Acknowledge)
            .RequireAuthorization(Policies.Operator)
            .WithName("AcknowledgeAlert")
            .WithSummary("Operators: someone is taking care of this alert (open -> acknowledged)")
            .ProducesProblem(StatusCodes.Status409Conflict);

        alerts.MapPost("/{alertId}/resolve", Resolve)
            .RequireAuthorization(Policies.Operator)
            .WithName("ResolveAlert")
            .WithSummary("Operators: the incident is over (open or acknowledged -> resolved)");

        return vehicle;
    }

    internal static async Task<Results<Ok<IReadOnlyList<AlertDto>>, ValidationProblem>> ListAlerts(
        string vin,
        [AsParameters] PaginationRequest page,
        IGrainFactory grains,
        IOptions<ApiOptions> options)
    {
        if (!page.TryGetSize(50, options.Value.MaxPageSize, out var size, out var problem))
        {
            return problem;
        }

        var alerts = await grains.GetVehicle<IVehicleAlerts>(vin).GetAlerts(size);
        return TypedResults.Ok<IReadOnlyList<AlertDto>>(alerts.Select(AlertDto.From).ToList());
    }

    internal static Task<Results<Ok<AlertDto>, ValidationProblem, ProblemHttpResult>> Acknowledge(string vin, string alertId, HttpContext http, IGrainFactory grains) =>
        ChangeAsync(alertId, () => grains.GetVehicle<IVehicleAlerts>(vin).AcknowledgeAlert(alertId, http.User.Subject() ?? "operator"));

    internal static Task<Results<Ok<AlertDto>, ValidationProblem, ProblemHttpResult>> Resolve(string vin, string alertId, HttpContext http, IGrainFactory grains) =>
        ChangeAsync(alertId, () => grains.GetVehicle<IVehicleAlerts>(vin).ResolveAlert(alertId, http.User.Subject() ?? "operator"));

    private static async Task<Results<Ok<AlertDto>, ValidationProblem, ProblemHttpResult>> ChangeAsync(string alertId, Func<ValueTask<(AlertChange Change, CrashAlert? Alert)>> change)
    {
        if (alertId.Length > MaxAlertIdLength || !alertId.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            return ValidationProblems.For("alertId", "not an alert id");
        }

        var (outcome, alert) = await change();
        return outcome switch
        {
            AlertChange.NotFound => TypedResults.Problem(title: "No such alert", statusCode: StatusCodes.Status404NotFound, type: ProblemTypes.NotFound),
            AlertChange.Conflict => TypedResults.Problem(
                title: "The alert cannot move to that state",
                detail: $"The alert is {WireName.Of(alert!.Status)}.",
                statusCode: StatusCodes.Status409Conflict,
                type: ProblemTypes.Conflict),
            _ => TypedResults.Ok(AlertDto.From(alert!)),
        };
    }
}
