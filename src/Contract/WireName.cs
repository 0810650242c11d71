using System.Collections.Frozen;
using System.Globalization;
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
    /// <summary>
    /// The wire name of a value, as System.Text.Json writes it: a combination of flags as <c>airbag, sosButton</c>,
    /// and a value that names cannot express (an undefined number, read back from an older or newer release) as its
    /// number, so that nothing is lost and a reader never fails on it. Stores that must refuse such a value check
    /// <see cref="Enum.IsDefined{TEnum}(TEnum)"/> themselves.
    /// </summary>
    public static string Of<T>(T value)
        where T : struct, Enum
    {
        if (Names<T>.ByValue.TryGetValue(value, out var name))
        {
            return name;
        }

        var bits = Convert.ToUInt64(value, CultureInfo.InvariantCulture);
        if (Names<T>.IsFlags && bits != 0)
        {
            var parts = new List<string>();
            foreach (var (flag, flagName) in Names<T>.Flags)
            {
                if ((bits & flag) == flag)
                {
                    parts.Add(flagName);
                    bits &= ~flag;
                }
            }

            if (bits == 0)
            {
                return string.Join(", ", parts);
            }
        }

        return Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
    }

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

        public static readonly bool IsFlags = typeof(T).IsDefined(typeof(FlagsAttribute), inherit: false);

        /// <summary>The named single flags, lowest first, as <see cref="Enum.ToString()"/> lists them.</summary>
        public static readonly (ulong Flag, string Name)[] Flags = ByValue
            .Select(p => (Flag: Convert.ToUInt64(p.Key, CultureInfo.InvariantCulture), Name: p.Value))
            .Where(p => p.Flag != 0 && ulong.IsPow2(p.Flag))
            .OrderBy(p => p.Flag)
            .ToArray();
    }
}
