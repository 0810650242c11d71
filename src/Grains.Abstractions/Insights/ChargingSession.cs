namespace DigitalTwin.Grains.Abstractions.Insights;

/// <summary>One finished charging session of an electric car, on the car's own sample times.</summary>
/// <param name="Id"><c>{vin}-charge-{start ts in epoch ms}</c>.</param>
/// <param name="EnergyAddedKwh">(end SoC - start SoC) x <c>NetCapacity</c>; null when the car never sent its capacity.</param>
/// <param name="ChargeLimitPercent">The limit the car reported during the session, if any.</param>
/// <param name="LimitReached">The end SoC reached the limit (within <c>Insights:ChargeLimitTolerancePercent</c>).</param>
/// <param name="EndReason"><c>chargingStopped</c>, <c>unplugged</c> or <c>dataGap</c>.</param>
[GenerateSerializer, Immutable, Alias("dt.ChargingSession")]
public sealed record ChargingSession(
    [property: Id(0)] string Id,
    [property: Id(1)] string Vin,
    [property: Id(2)] DateTimeOffset StartedAt,
    [property: Id(3)] DateTimeOffset EndedAt,
    [property: Id(4)] double StartSocPercent,
    [property: Id(5)] double EndSocPercent,
    [property: Id(6)] double? EnergyAddedKwh,
    [property: Id(7)] double? ChargeLimitPercent,
    [property: Id(8)] bool LimitReached,
    [property: Id(9)] string EndReason)
{
    public static string IdFor(string vin, long startTs) => $"{vin}-charge-{startTs}";
}
