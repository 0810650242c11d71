using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json.Serialization;

namespace DigitalTwin.Contract;

/// <summary>
/// The one spelling of each enum value outside the process: its <see cref="JsonStringEnumMemberNameAttribute"/>.
/// System.Text.Json reads the same attribute, so a value written by hand here and one serialized in a document or an
/// API response are always spelled alike.
/// </summary>
public static class WireName
{
    /// <summary>The wire name of a named value; a value without one (a combination of flags, a stray number) throws.</summary>
    public static string Of<T>(T value)
        where T : struct, Enum =>
        Names<T>.ByValue.TryGetValue(value, out var name)
            ? name
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"{typeof(T).Name} has no wire name for this value");

    /// <summary>Reads a wire name, case-sensitively as the contract spells it.</summary>
    public static bool TryParse<T>(string? text, out T value)
        where T : struct, Enum
    {
        if (text is not null && Names<T>.ByName.TryGetValue(text, out value))
        {
            return true;
        }

        value = default;
        return false;
    }

    private static class Names<T>
        where T : struct, Enum
    {
        public static readonly FrozenDictionary<T, string> ByValue = typeof(T)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .ToFrozenDictionary(
                f => (T)f.GetValue(null)!,
                f => f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
                    ?? throw new InvalidOperationException($"{typeof(T).Name}.{f.Name} has no [JsonStringEnumMemberName]"));

        public static readonly FrozenDictionary<string, T> ByName =
            ByValue.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);
    }
}
