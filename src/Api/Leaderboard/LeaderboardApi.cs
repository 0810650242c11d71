using System.ComponentModel;
using DigitalTwin.Api.Auth;
using DigitalTwin.Api.Paging;
using DigitalTwin.Api.Problems;
using DigitalTwin.Grains.Abstractions.Insights;
using DigitalTwin.Grains.Insights;
using DigitalTwin.Grains.Storage;
using DigitalTwin.Views;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Api.Leaderboard;

/// <summary>
/// <c>GET /leaderboard?period=</c>: the eco-driving ranking of the caller's vehicles (operators: the fleet) in the
/// current week or month, each car with its trend against the period before. Two grain calls (this period's aggregate
/// and the previous one's), whatever the size of the fleet.
/// </summary>
public static class LeaderboardApi
{
    /// <summary>How many of an owner's vehicles are looked up to scope the ranking; a fleet owner beyond it sees the first ones by VIN.</summary>
    public const int MaxOwnedVehicles = 10_000;

    public static RouteGroupBuilder MapLeaderboardApi(this RouteGroupBuilder api)
    {
        api.MapGet("/leaderboard", GetLeaderboard)
            .WithTags("Insights")
            .RequireAuthorization(Policies.Person)
            .WithName("GetLeaderboard")
            .WithSummary("Eco-driving ranking of the caller's vehicles (operators: the fleet) in the current week or month, with each car's trend")
            .ProducesValidationProblem()
            .WithOpenApiErrors();
        return api;
    }

    internal static async Task<Results<Ok<LeaderboardDto>, ValidationProblem>> GetLeaderboard(
        [Description("`week` (ISO week, UTC) or `month` (calendar month, UTC); default month")] string? period,
        [AsParameters] PaginationRequest pagination,
        HttpContext http,
        IGrainFactory grains,
        IVehicleRegistry registry,
        TimeProvider time,
        IOptions<ApiOptions> options)
    {
        period ??= LeaderboardPeriods.Month;
        if (!LeaderboardPeriods.IsKnown(period))
        {
            return ValidationProblems.For("period", $"period is one of {string.Join(", ", LeaderboardPeriods.All)}");
        }

        if (!pagination.TryGetSize(50, options.Value.MaxPageSize, out var size, out var problem))
        {
            return problem;
        }

        var now = time.GetUtcNow();
        var current = grains.GetGrain<ILeaderboardGrain>(LeaderboardPeriods.Key(period, now)).GetStandings().AsTask();
        var previous = grains.GetGrain<ILeaderboardGrain>(LeaderboardPeriods.Key(period, LeaderboardPeriods.Previous(period, now))).GetStandings().AsTask();
        var standings = await current;
        var before = (await previous).Entries.ToDictionary(e => e.Vin, StringComparer.Ordinal);

        IEnumerable<LeaderboardEntry> entries = standings.Entries;
        if (!http.User.IsOperator())
        {
            var owned = await OwnedVinsAsync(registry, http.User.Subject(), http.RequestAborted);
            entries = entries.Where(e => owned.Contains(e.Vin));
        }

        var ranked = entries
            .OrderByDescending(e => e.EcoScore)
            .ThenByDescending(e => e.DistanceKm)
            .ThenBy(e => e.Vin, StringComparer.Ordinal)
            .Take(size)
            .Select((e, i) =>
            {
                double? previousEco = before.TryGetValue(e.Vin, out var p) ? p.EcoScore : null;
                return new LeaderboardEntryDto(
                    i + 1,
                    e.Vin,
                    e.EcoScore,
                    e.DrivingScore,
                    e.Trips,
                    e.DistanceKm,
                    e.Co2GramsPerKm is { } perKm ? Math.Round(perKm, 1) : null,
                    previousEco,
                    previousEco is { } was ? Math.Round(e.EcoScore - was, 1) : null);
            })
            .ToList();

        return TypedResults.Ok(new LeaderboardDto(period, standings.From, standings.To, ScoreCard.Median(standings.Entries.Select(e => e.EcoScore)), ranked));
    }

    private static async Task<HashSet<string>> OwnedVinsAsync(IVehicleRegistry registry, string? owner, CancellationToken cancellationToken)
    {
        var vins = new HashSet<string>(StringComparer.Ordinal);
        if (owner is null)
        {
            return vins;
        }

        string? after = null;
        do
        {
            var page = await registry.ListAsync(owner, after, 500, cancellationToken);
            foreach (var registration in page.Items)
            {
                vins.Add(registration.Vin);
            }

            after = page.Next;
        }
        while (after is not null && vins.Count < MaxOwnedVehicles);

        return vins;
    }
}
