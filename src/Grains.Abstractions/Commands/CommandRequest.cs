namespace DigitalTwin.Grains.Abstractions.Commands;

/// <summary>A command as a caller asked for it (<c>POST .../commands</c>), not yet validated.</summary>
/// <param name="ParamsJson">
/// The <c>params</c> object as raw JSON, so that the policy sees exactly what was sent (types, duplicates, extras);
/// null or empty means no parameters.
/// </param>
/// <param name="TtlSeconds">Null means the setting <c>Commands:DefaultTtlSeconds</c>.</param>
[GenerateSerializer, Immutable, Alias("dt.CommandRequest")]
public sealed record CommandRequest(
    [property: Id(0)] string? Name,
    [property: Id(1)] string? ParamsJson = null,
    [property: Id(2)] int? TtlSeconds = null);
