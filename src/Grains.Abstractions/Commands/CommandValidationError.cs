namespace DigitalTwin.Grains.Abstractions.Commands;

/// <param name="Field">Where the problem is: <c>name</c>, <c>ttlSeconds</c>, <c>params</c> or <c>params.{parameter}</c>.</param>
/// <param name="Reason">What is wrong, without echoing the offending value back.</param>
[GenerateSerializer, Immutable, Alias("dt.CommandValidationError")]
public sealed record CommandValidationError(
    [property: Id(0)] string Field,
    [property: Id(1)] string Reason);
