namespace DigitalTwin.Contract;

/// <summary>
/// ISO 3779 vehicle identification numbers: 17 characters of A-H, J-N, P, R-Z and 0-9.
/// The position-9 check digit is a North-American rule and is deliberately not enforced.
/// </summary>
public static class Vin
{
    public const int Length = 17;

    public static bool IsValid(string? value) => Validate(value) is null;

    /// <summary>Returns null when <paramref name="value"/> is a VIN, otherwise a reason a person can act on.</summary>
    public static string? Validate(string? value) => Validate(value.AsSpan(), value is null);

    public static string? Validate(ReadOnlySpan<char> value, bool isNull = false)
    {
        if (isNull || value.IsEmpty)
        {
            return "a VIN is required";
        }

        if (value.Length != Length)
        {
            return $"a VIN has 17 characters, this one has {value.Length}";
        }

        foreach (var c in value)
        {
            if (!IsVinChar(c))
            {
                return c is 'I' or 'O' or 'Q'
                    ? $"a VIN never contains '{c}' (ISO 3779 excludes I, O and Q)"
                    : "a VIN has only the characters A-H, J-N, P, R-Z and 0-9 (upper case)";
            }
        }

        return null;
    }

    private static bool IsVinChar(char c) =>
        c is >= '0' and <= '9' || (c is >= 'A' and <= 'Z' && c is not ('I' or 'O' or 'Q'));
}
