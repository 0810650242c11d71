using System.Globalization;

namespace DigitalTwin.Contract.Telemetry;

/// <summary>
/// A VSS value without boxing: numbers and booleans live in <see cref="Number"/>, strings in <see cref="Text"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("dt.SignalValue")]
public readonly record struct SignalValue
{
    [Id(0)] public SignalKind Kind { get; init; }
    [Id(1)] public double Number { get; init; }
    [Id(2)] public string? Text { get; init; }

    public static SignalValue FromNumber(double value) => new() { Kind = SignalKind.Number, Number = value };

    public static SignalValue FromBoolean(bool value) => new() { Kind = SignalKind.Boolean, Number = value ? 1 : 0 };

    public static SignalValue FromText(string value) => new() { Kind = SignalKind.Text, Text = value };

    public bool AsBoolean => Kind == SignalKind.Boolean && Number != 0;

    public object ToObject() => Kind switch
    {
        SignalKind.Number => Number,
        SignalKind.Boolean => Number != 0,
        _ => Text ?? string.Empty,
    };

    public override string ToString() => Kind switch
    {
        SignalKind.Number => Number.ToString(CultureInfo.InvariantCulture),
        SignalKind.Boolean => Number != 0 ? "true" : "false",
        _ => Text ?? string.Empty,
    };
}
