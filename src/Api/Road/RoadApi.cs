using System.ComponentModel;
using DigitalTwin.Api.Auth;
using DigitalTwin.Api.Problems;
using DigitalTwin.Grains.Abstractions.Road;
using DigitalTwin.Grains.Road;
using DigitalTwin.Views;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace DigitalTwin.Api.Road;

/// <summary>
/// Road hazards and traffic in a bounding box, read from the few regions (geohash 4) that cover it, never from the cells
/// themselves. They describe roads, not cars: no car is named, so any signed-in person may read them.
/// </summary>
public static class RoadApi
{
    /// <summary>The cost bound of one query: regions are ~39 x 20 km, so 64 of them cover a box of roughly 300 x 150 km.</summary>
    public const int MaxRegions = 64;

    public static RouteGroupBuilder MapRoadApi(this RouteGroupBuilder api)
    {
        var road = api.MapGroup("/").WithTags("Road").RequireAuthorization(Policies.Person);

        road.MapGet("/hazards", ListHazards)
            .WithName("ListHazards")
            .WithSummary("Active road hazards in a bounding box: position, type, confirmations, first and last seen, expiry")
            .ProducesValidationProblem();

        road.MapGet("/traffic", ListTraffic)
            .WithName("ListTraffic")
            .WithSummary("Traffic per road cell and direction in a bounding box: mean speed, samples, congestion level")
            .ProducesValidationProblem();

        road.WithOpenApiErrors();
        return api;
    }

    internal static async Task<Results<Ok<HazardListDto>, ValidationProblem>> ListHazards(
        [Description("minLon,minLat,maxLon,maxLat in degrees")] string? bbox,
        IGrainFactory grains)
    {
        if (!TryRegions(bbox, out var box, out var regions, out var problem))
        {
            return problem;
        }

        var found = await Task.WhenAll(regions.Select(r => grains.GetGrain<IRoadRegionGrain>(r).Hazards(box).AsTask()));
        var items = found.SelectMany(h => h).OrderByDescending(h => h.LastSeen).ThenBy(h => h.Id, StringComparer.Ordinal).Select(HazardDto.From).ToList();
        return TypedResults.Ok(new HazardListDto(items));
    }

    internal static async Task<Results<Ok<TrafficListDto>, ValidationProblem>> ListTraffic(
        [Description("minLon,minLat,maxLon,maxLat in degrees")] string? bbox,
        IGrainFactory grains)
    {
        if (!TryRegions(bbox, out var box, out var regions, out var problem))
        {
            return problem;
        }

        var found = await Task.WhenAll(regions.Select(r => grains.GetGrain<IRoadRegionGrain>(r).Traffic(box).AsTask()));
        var items = found.SelectMany(t => t).OrderBy(t => t.Cell, StringComparer.Ordinal).ThenBy(t => t.Direction).Select(TrafficDto.From).ToList();
        return TypedResults.Ok(new TrafficListDto(items));
    }

    private static bool TryRegions(string? bbox, out GeoBox box, out List<string> regions, out ValidationProblem problem)
    {
        regions = [];
        problem = null!;
        if (!BoundingBoxQuery.TryParse(bbox, out box, out var error))
        {
            problem = ValidationProblems.For(BoundingBoxQuery.Name, error);
            return false;
        }

        if (!Geohash.TryCover(box, Geohash.RegionPrecision, MaxRegions, out regions))
        {
            problem = ValidationProblems.For(BoundingBoxQuery.Name, $"bbox is too large: it spans more than {MaxRegions} regions of about 39 x 20 km");
            return false;
        }

        return true;
    }
}
