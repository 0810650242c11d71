using DigitalTwin.Api.Problems;
using DigitalTwin.Api.Road;
using DigitalTwin.Grains.Abstractions.FleetQuery;
using DigitalTwin.Grains.Abstractions.Road;
using DigitalTwin.Grains.FleetQuery;
using DigitalTwin.Grains.Storage;
using DigitalTwin.Views;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DigitalTwin.Api.FleetQuery;

/// <summary>
/// The fleet query behind <c>GET /api/v1/vehicles?filter=&amp;bbox=&amp;online=</c>: asks every partition of the fleet
/// index once, in parallel, and merges their pages by VIN. No twin is woken. Cost bound: each partition scans its
/// entries once (twins / <c>FleetQuery:Partitions</c>) and returns at most the page size; a person's query looks only at
/// their own VINs (at most <c>FleetQuery:MaxOwnerVehicles</c>, read from the registry first).
/// </summary>
internal static class FleetQueryHandler
{
    public const string FilterName = "filter";

    public static async Task<Results<Ok<FleetPageDto>, ValidationProblem>> ListAsync(
        string? owner,
        string? filterText,
        string? bbox,
        bool? online,
        string? after,
        int size,
        IVehicleRegistry registry,
        IGrainFactory grains,
        FleetQueryOptions options,
        CancellationToken cancellationToken)
    {
        var errors = new List<FieldError>();
        FleetFilter? filter = null;
        if (filterText is not null && !FleetFilter.TryParse(filterText, out filter, out var filterError))
        {
            errors.Add(new(FilterName, filterError));
        }

        GeoBox? box = null;
        if (bbox is not null)
        {
            if (BoundingBoxQuery.TryParse(bbox, out var parsed, out var boxError))
            {
                box = parsed;
            }
            else
            {
                errors.Add(new(BoundingBoxQuery.Name, boxError));
            }
        }

        if (errors.Count > 0)
        {
            return ValidationProblems.For(errors, title: "The fleet query is not valid");
        }

        // A person's scope is their registrations; the index is asked only about those.
        Dictionary<string, string>? owned = null;
        if (owner is not null)
        {
            var page = await registry.ListAsync(owner, null, options.MaxOwnerVehicles, cancellationToken);
            owned = page.Items.ToDictionary(r => r.Vin, r => r.OwnerId, StringComparer.Ordinal);
        }

        var partitions = owned is null
            ? Enumerable.Range(0, options.Partitions).Select(p => (Partition: p, Vins: (string[]?)null))
            : owned.Keys.GroupBy(v => FleetQueryOptions.PartitionOf(v, options.Partitions)).Select(g => (Partition: g.Key, Vins: (string[]?)g.ToArray()));
        var pages = await Task.WhenAll(partitions.Select(p =>
            grains.GetGrain<IFleetIndexGrain>(p.Partition).Query(new FleetQuerySpec(filterText, box, online, after, size + 1, p.Vins)).AsTask()));
        var matches = pages.SelectMany(p => p).OrderBy(e => e.Vin, StringComparer.Ordinal).Take(size + 1).ToList();
        var next = matches.Count > size ? matches[size - 1].Vin : null;

        var shown = (filter?.Predicates.Select(p => p.Path) ?? []).Concat(box is null ? [] : FleetVehicleDto.Position).Distinct(StringComparer.Ordinal).ToList();
        var items = new List<FleetVehicleDto>(Math.Min(size, matches.Count));
        foreach (var entry in matches.Take(size))
        {
            // A twin nobody registered is not part of any fleet.
            var entryOwner = owned is not null ? owned[entry.Vin] : await registry.GetOwnerAsync(entry.Vin, cancellationToken);
            if (entryOwner is not null)
            {
                items.Add(FleetVehicleDto.From(entry, entryOwner, shown));
            }
        }

        return TypedResults.Ok(new FleetPageDto(items, next));
    }
}
