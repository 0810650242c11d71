using DigitalTwin.Grains.Abstractions.Vehicles;

namespace DigitalTwin.Api.Vehicles;

/// <summary>The twin as the contract shows it (section 3).</summary>
public sealed record TwinDto(
    string Vin,
    bool Online,
    DateTimeOffset? LastSeenAt,
    long Version,
    IReadOnlyDictionary<string, SignalDto> Signals,
    CrashDto Crash,
    object? Preconditioning)
{
    public static TwinDto From(TwinSnapshot twin) => new(
        twin.Vin,
        twin.Online,
        twin.LastSeenAt,
        twin.Version,
        new SortedDictionary<string, SignalDto>(
            twin.Signals.ToDictionary(s => s.Key, s => new SignalDto(s.Value.Value.ToObject(), s.Value.Ts), StringComparer.Ordinal),
            StringComparer.Ordinal),
        new CrashDto("none"),
        null);
}
