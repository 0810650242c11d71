using System.ComponentModel;
using DigitalTwin.Api.Alerts;
using DigitalTwin.Api.Auth;
using DigitalTwin.Api.Commands;
using DigitalTwin.Api.FleetQuery;
using DigitalTwin.Api.Intents;
using DigitalTwin.Api.Paging;
using DigitalTwin.Api.Preconditioning;
using DigitalTwin.Api.Problems;
using DigitalTwin.Api.Streaming;
using DigitalTwin.Contract;
using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Grains.FleetQuery;
using DigitalTwin.Grains.Ownership;
using DigitalTwin.Grains.Storage;
using DigitalTwin.Views;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Api.Vehicles;

public static class VehiclesApi
{
    public const int MaxOwnerIdLength = 256;

    public static RouteGroupBuilder MapVehiclesApi(this RouteGroupBuilder api)
    {
        var vehicles = api.MapGroup("/vehicles").WithTags("Vehicles");

        vehicles.MapGet("/", ListVehicles)
            .RequireAuthorization(Policies.Person)
            .WithName("ListVehicles")
            .WithSummary("The caller's vehicles (operators: all), ordered by VIN, paged with `after`; with `filter`, `bbox` or `online`, a fleet query over the fleet index")
            .ProducesValidationProblem();

        vehicles.MapPost("/", RegisterVehicle)
            .RequireAuthorization(Policies.Operator)
            .WithName("RegisterVehicle")
            .WithSummary("Operators: register a VIN and bind it to its owner")
            .ProducesValidationProblem();

        // Every route below passes the same two gates: a well-formed VIN, then the single ownership check.
        var vehicle = vehicles.MapGroup("/{vin}")
            .RequireAuthorization(Policies.Person)
            .AddEndpointFilter<VinRouteFilter>()
            .AddEndpointFilter<VehicleAccessFilter>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        vehicle.MapGet("/", GetTwin)
            .WithName("GetTwin")
            .WithSummary("The live twin of one vehicle");

        vehicle.MapGet("/telemetry", GetTelemetry)
            .WithName("GetTelemetryHistory")
            .WithSummary("History of one signal between `from` and `to` (ISO 8601; default: the last hour)");

        vehicle.MapGet("/stream", StreamApi.StreamVehicle)
            .RequireRateLimiting(RateLimiting.StreamsPolicy)
            .WithName("StreamVehicle")
            .WithSummary("Server-Sent Events: twin changes (coalesced) and alerts as they happen; resumes from `Last-Event-ID`")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream");

        vehicle.MapAlertsApi();
        vehicle.MapCommandsApi();
        vehicle.MapPreconditioningApi();
        vehicle.MapIntentsApi();

        vehicles.WithOpenApiErrors();
        return api;
    }

    internal static async Task<Results<Ok<VehiclePageDto>, Ok<FleetPageDto>, ValidationProblem>> ListVehicles(
        HttpContext http,
        IVehicleRegistry registry,
        IGrainFactory grains,
        IOptions<ApiOptions> options,
        IOptions<FleetQueryOptions> fleetOptions,
        [Description("Return vehicles whose VIN sorts after this one (the `next` of the previous page)")] string? after,
        [AsParameters] PaginationRequest pagination,
        [Description("Fleet query: VSS predicates joined by `and`, e.g. `Vehicle.Powertrain.TractionBattery.StateOfCharge.Current<20` (docs/road.md)")] string? filter = null,
        [Description("Fleet query: only vehicles last seen in minLon,minLat,maxLon,maxLat")] string? bbox = null,
        [Description("Fleet query: only vehicles online (true) or offline (false)")] bool? online = null)
    {
        if (!pagination.TryGetSize(50, options.Value.MaxPageSize, out var size, out var problem))
        {
            return problem;
        }

        if (after is not null && Vin.Validate(after) is { } vinError)
        {
            return ValidationProblems.For("after", vinError);
        }

        var owner = http.User.IsOperator() ? null : http.User.Subject();
        if (filter is not null || bbox is not null || online is not null)
        {
            var fleet = await FleetQueryHandler.ListAsync(owner, filter, bbox, online, after, size, registry, grains, fleetOptions.Value, http.RequestAborted);
            return fleet.Result is ValidationProblem invalid ? invalid : (Ok<FleetPageDto>)fleet.Result;
        }

        var page = await registry.ListAsync(owner, after, size, http.RequestAborted);
        var twins = await Task.WhenAll(page.Items.Select(r => grains.GetVehicle<IVehicleTwin>(r.Vin).GetTwin().AsTask()));
        var items = page.Items.Zip(twins, (r, t) => new VehicleSummaryDto(r.Vin, r.OwnerId, r.RegisteredAt, t.Online, t.LastSeenAt)).ToList();
        return TypedResults.Ok(new VehiclePageDto(items, page.Next));
    }

    internal static async Task<Results<Created<VehicleSummaryDto>, Ok<VehicleSummaryDto>, ValidationProblem, ProblemHttpResult>> RegisterVehicle(
        RegisterVehicleRequest request,
        IVehicleRegistry registry,
        IGrainFactory grains,
        CancellationToken cancellationToken)
    {
        var errors = new List<FieldError>();
        if (Vin.Validate(request.Vin) is { } vinError)
        {
            errors.Add(new("vin", vinError));
        }

        if (string.IsNullOrWhiteSpace(request.OwnerId))
        {
            errors.Add(new("ownerId", "ownerId is the sub of the owner and is required"));
        }
        else if (request.OwnerId.Length > MaxOwnerIdLength || request.OwnerId.Any(char.IsControl))
        {
            errors.Add(new("ownerId", $"ownerId is at most {MaxOwnerIdLength} characters without control characters"));
        }

        if (errors.Count > 0)
        {
            return ValidationProblems.For(errors, title: "The registration is not valid");
        }

        var (outcome, registration) = await registry.RegisterAsync(request.Vin!, request.OwnerId!, cancellationToken);
        if (outcome == RegistrationOutcome.Conflict)
        {
            return TypedResults.Problem(
                title: "The vehicle is registered to another owner",
                detail: "A VIN is bound to one owner; registering it again for someone else is refused.",
                statusCode: StatusCodes.Status409Conflict,
                type: ProblemTypes.Conflict);
        }

        var twin = await grains.GetVehicle<IVehicleTwin>(registration.Vin).GetTwin();
        var summary = new VehicleSummaryDto(registration.Vin, registration.OwnerId, registration.RegisteredAt, twin.Online, twin.LastSeenAt);
        return outcome == RegistrationOutcome.Created
            ? TypedResults.Created($"/api/v1/vehicles/{registration.Vin}", summary)
            : TypedResults.Ok(summary);
    }

    internal static async Task<Results<Ok<TwinDto>, ProblemHttpResult>> GetTwin(string vin, HttpContext http, IGrainFactory grains)
    {
        var twin = await grains.GetVehicle<IVehicleTwin>(vin).GetTwin();
        // An operator asking for a VIN nobody registered and no car ever used gets the same 404 as anyone.
        return twin.IsEmpty && !VehicleAccess.Of(http).IsRegistered
            ? VehicleProblems.NotFound()
            : TypedResults.Ok(TwinDto.From(twin));
    }

    internal static async Task<Results<Ok<SignalHistoryDto>, ValidationProblem>> GetTelemetry(
        string vin,
        [Description("The VSS path of the signal, e.g. Vehicle.Speed")] string? signal,
        [Description("Start of the range, ISO 8601 (default: one hour before `to`)")] DateTimeOffset? from,
        [Description("End of the range, ISO 8601 (default: now)")] DateTimeOffset? to,
        [AsParameters] PaginationRequest pagination,
        ISignalHistoryReader history,
        TimeProvider time,
        IOptions<ApiOptions> options,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(signal) || !SignalCatalogue.IsWellFormedName(signal))
        {
            return ValidationProblems.For("signal", "signal is required and is a VSS path such as Vehicle.Speed");
        }

        var end = to ?? time.GetUtcNow();
        var start = from ?? end.AddHours(-1);
        if (start > end)
        {
            return ValidationProblems.For("from", "from must not be after to");
        }

        if (!pagination.TryGetSize(1000, options.Value.MaxHistoryPoints, out var size, out var problem))
        {
            return problem;
        }

        var points = await history.QueryAsync(vin, signal, start.ToUnixTimeMilliseconds(), end.ToUnixTimeMilliseconds(), size, cancellationToken);
        return TypedResults.Ok(new SignalHistoryDto(vin, signal, start, end, points.Select(p => new HistoryPointDto(p.Ts, p.Value.ToObject())).ToList()));
    }
}
