using DigitalTwin.Grains.Abstractions.Vehicles;

namespace DigitalTwin.Views;

/// <summary>The twin as the contract shows it (section 3).</summary>
public sealed record TwinDto(
    string Vin,
    bool Online,
    DateTimeOffset? LastSeenAt,
    long Version,
    IReadOnlyDictionary<string, SignalDto> Signals,
    CrashDto Crash,
    PreconditioningDto? Preconditioning)
{
    public static TwinDto From(TwinSnapshot twin)
    {
        var signals = new SortedDictionary<string, SignalDto>(StringComparer.Ordinal);
        foreach (var (name, reading) in twin.Signals)
        {
            signals[name] = new SignalDto(reading.Value.ToObject(), reading.Ts);
        }

        return new TwinDto(twin.Vin, twin.Online, twin.LastSeenAt, twin.Version, signals, CrashDto.From(twin.Crash), PreconditioningDto.From(twin.Preconditioning));
    }
}
