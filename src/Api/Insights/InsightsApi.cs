using System.ComponentModel;
using System.Globalization;
using DigitalTwin.Api.Auth;
using DigitalTwin.Api.Leaderboard;
using DigitalTwin.Api.Paging;
using DigitalTwin.Api.Problems;
using DigitalTwin.Api.Vehicles;
using DigitalTwin.Grains.Abstractions.Insights;
using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Grains.Insights;
using DigitalTwin.Grains.Storage;
using DigitalTwin.Views;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Api.Insights;

/// <summary>
/// A car's trips, scores and charging sessions (issue 17). They are read from the trip store, not from the twin, so
/// listing them wakes no car; the leaderboard is mapped from here as well (<see cref="LeaderboardApi"/>).
/// </summary>
public static class InsightsApi
{
    /// <summary>At most this many trips are summed for <c>/scores</c> (30 days and two calendar months of a busy taxi).</summary>
    public const int MaxScoredTrips = 2000;

    /// <summary>How many of the period's events <c>/scores</c> shows.</summary>
    public const int ScoreEvents = 20;

    private static readonly TimeSpan RollingWindow = TimeSpan.FromDays(30);

    // A car's clock may run ahead of ours; its trips are still its trips.
    private static readonly TimeSpan ClockSkew = TimeSpan.FromDays(1);

    public static RouteGroupBuilder MapInsightsApi(this RouteGroupBuilder api)
    {
        // The same two gates as every /vehicles/{vin} route: a well-formed VIN, then the single ownership check.
        var vehicle = api.MapGroup("/vehicles/{vin}")
            .WithTags("Insights")
            .RequireAuthorization(Policies.Person)
            .AddEndpointFilter<VinRouteFilter>()
            .AddEndpointFilter<VehicleAccessFilter>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        vehicle.MapGet("/trips", ListTrips)
            .WithName("ListTrips")
            .WithSummary("Finished trips that started in [`from`, `to`), newest first; page on with `to` = the `next` of the previous page");

        vehicle.MapGet("/scores", GetScores)
            .WithName("GetScores")
            .WithSummary("Driving and eco scores 0-100: last trip and rolling 30 days with the events behind them, the fleet median and the monthly footprint");

        vehicle.MapGet("/charging-sessions", ListChargingSessions)
            .WithName("ListChargingSessions")
            .WithSummary("Finished charging sessions that started in [`from`, `to`), newest first, paged like trips");

        vehicle.WithOpenApiErrors();
        api.MapLeaderboardApi();
        return api;
    }

    internal static Task<Results<Ok<PageDto<TripDto>>, ValidationProblem, ProblemHttpResult>> ListTrips(
        string vin,
        [Description("Earliest start, ISO 8601 (default: 30 days before `to`)")] DateTimeOffset? from,
        [Description("Start before this instant, exclusive, ISO 8601 (default: now)")] DateTimeOffset? to,
        [AsParameters] PaginationRequest pagination,
        HttpContext http,
        ITripStore store,
        IGrainFactory grains,
        TimeProvider time,
        IOptions<ApiOptions> options)
        => PageAsync(vin, from, to, pagination, http, grains, time, options.Value, store.ListTripsAsync, TripDto.From, t => t.StartedAt);

    internal static Task<Results<Ok<PageDto<ChargingSessionDto>>, ValidationProblem, ProblemHttpResult>> ListChargingSessions(
        string vin,
        [Description("Earliest start, ISO 8601 (default: 30 days before `to`)")] DateTimeOffset? from,
        [Description("Start before this instant, exclusive, ISO 8601 (default: now)")] DateTimeOffset? to,
        [AsParameters] PaginationRequest pagination,
        HttpContext http,
        ITripStore store,
        IGrainFactory grains,
        TimeProvider time,
        IOptions<ApiOptions> options)
        => PageAsync(vin, from, to, pagination, http, grains, time, options.Value, store.ListChargingSessionsAsync, ChargingSessionDto.From, c => c.StartedAt);

    /// <summary>One page of a car's finished trips or charging sessions: range checked, owner checked, newest first.</summary>
    private static async Task<Results<Ok<PageDto<TDto>>, ValidationProblem, ProblemHttpResult>> PageAsync<T, TDto>(
        string vin,
        DateTimeOffset? from,
        DateTimeOffset? to,
        PaginationRequest pagination,
        HttpContext http,
        IGrainFactory grains,
        TimeProvider time,
        ApiOptions options,
        Func<string, DateTimeOffset, DateTimeOffset, int, CancellationToken, ValueTask<IReadOnlyList<T>>> list,
        Func<T, TDto> view,
        Func<T, DateTimeOffset> startedAt)
    {
        if (!TryRange(from, to, time, pagination, options, out var range, out var problem))
        {
            return problem;
        }

        if (!await IsVisibleAsync(vin, http, grains))
        {
            return VehicleProblems.NotFound();
        }

        var items = await list(vin, range.From, range.To, range.Size, http.RequestAborted);
        return TypedResults.Ok(new PageDto<TDto>(items.Select(view).ToList(), items.Count == range.Size ? startedAt(items[^1]) : null));
    }

    internal static async Task<Results<Ok<ScoresDto>, ProblemHttpResult>> GetScores(
        string vin,
        HttpContext http,
        ITripStore store,
        IGrainFactory grains,
        TimeProvider time)
    {
        if (!await IsVisibleAsync(vin, http, grains))
        {
            return VehicleProblems.NotFound();
        }

        var now = time.GetUtcNow();
        var rollingFrom = now - RollingWindow;
        var (thisMonth, _) = LeaderboardPeriods.Bounds(LeaderboardPeriods.Month, now);
        var lastMonth = thisMonth.AddMonths(-1);
        var readFrom = rollingFrom < lastMonth ? rollingFrom : lastMonth;
        var trips = await store.ListTripsAsync(vin, readFrom, now + ClockSkew, MaxScoredTrips, http.RequestAborted);

        var rolling = trips.Where(t => t.EndedAt >= rollingFrom).ToList();
        var card = ScoreCard.Of(rolling);
        var last = trips.Count > 0 ? trips[0] : null;
        var footprint = new[] { thisMonth, lastMonth }
            .Select(month =>
            {
                var inMonth = trips.Where(t => t.EndedAt >= month && t.EndedAt < month.AddMonths(1)).ToList();
                var monthCard = ScoreCard.Of(inMonth);
                return new MonthlyFootprintDto(
                    month.ToString("yyyy-MM", CultureInfo.InvariantCulture),
                    monthCard.Trips,
                    monthCard.DistanceKm,
                    monthCard.Co2Grams is { } g ? Math.Round(g / 1000, 3) : null);
            })
            .ToList();

        var standings = await grains.GetGrain<ILeaderboardGrain>(LeaderboardPeriods.Key(LeaderboardPeriods.Month, now)).GetStandings();
        var fleet = new FleetMedianDto(
            standings.Period,
            standings.Entries.Count,
            ScoreCard.Median(standings.Entries.Select(e => e.DrivingScore)),
            ScoreCard.Median(standings.Entries.Select(e => e.EcoScore)),
            ScoreCard.Median(standings.Entries.Where(e => e.Co2GramsPerKm is not null).Select(e => e.Co2GramsPerKm!.Value)));

        return TypedResults.Ok(new ScoresDto(
            vin,
            now,
            last is null ? null : new TripScoreDto(last.Id, last.StartedAt, last.EndedAt, last.DistanceKm, last.DrivingScore, last.EcoScore, last.Co2GramsPerKm is { } perKm ? Math.Round(perKm, 1) : null, last.Counts, last.Events),
            new PeriodScoreDto(
                rollingFrom,
                now,
                card.Trips,
                card.DistanceKm,
                card.DrivingScore,
                card.EcoScore,
                card.KwhPer100Km,
                card.LitresPer100Km,
                card.Co2GramsPerKm,
                card.Counts,
                rolling.SelectMany(t => t.Events).OrderByDescending(e => e.At).Take(ScoreEvents).ToList()),
            fleet,
            footprint));
    }

    /// <summary>
    /// The ownership filter let the caller through; an operator asking for a VIN nobody registered and no car ever used
    /// still gets the same 404 as anyone (as <c>GET /vehicles/{vin}</c> does).
    /// </summary>
    private static async ValueTask<bool> IsVisibleAsync(string vin, HttpContext http, IGrainFactory grains) =>
        VehicleAccess.Of(http).IsRegistered || !(await grains.GetVehicle<IVehicleTwin>(vin).GetTwin()).IsEmpty;

    private static bool TryRange(
        DateTimeOffset? from,
        DateTimeOffset? to,
        TimeProvider time,
        PaginationRequest pagination,
        ApiOptions options,
        out (DateTimeOffset From, DateTimeOffset To, int Size) range,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out ValidationProblem? problem)
    {
        range = default;
        var end = to ?? time.GetUtcNow() + ClockSkew;
        var start = from ?? end - RollingWindow;
        if (start > end)
        {
            problem = ValidationProblems.For("from", "from must not be after to");
            return false;
        }

        if (!pagination.TryGetSize(20, options.MaxPageSize, out var size, out problem))
        {
            return false;
        }

        range = (start, end, size);
        return true;
    }
}
