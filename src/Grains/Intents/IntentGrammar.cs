using System.Globalization;
using System.Text;
using System.Text.Json;

namespace DigitalTwin.Grains.Intents;

/// <summary>What a voice assistant may ask of a car, by the names assistants send as structured intents.</summary>
public enum IntentName
{
    LockDoors,
    UnlockDoors,
    IsLocked,
    Precondition,
    StopPreconditioning,
    StartCharging,
    StopCharging,
    SetChargeLimit,
    BatteryLevel,
    Range,
    WhereIsMyCar,
}

public enum IntentParseOutcome
{
    Recognized,

    /// <summary>Nothing in the words matched a known intent, or a slot was malformed.</summary>
    Unknown,

    /// <summary>The words matched more than one intent; <see cref="ParsedIntent.Candidates"/> says which.</summary>
    Ambiguous,
}

/// <param name="TemperatureC">Target cabin temperature, degrees Celsius.</param>
/// <param name="At">A time of day the person said ("at 7:30"), to be read in their time zone.</param>
/// <param name="AtInstant">An instant given in full (a structured slot in ISO 8601 with its offset).</param>
/// <param name="Limit">A charge limit, percent.</param>
public sealed record IntentSlots(double? TemperatureC = null, TimeOnly? At = null, DateTimeOffset? AtInstant = null, int? Limit = null)
{
    public static IntentSlots None { get; } = new();
}

/// <param name="Problem">For <see cref="IntentParseOutcome.Unknown"/>: what was wrong, when it was more than unknown words.</param>
public sealed record ParsedIntent(IntentParseOutcome Outcome, IntentName? Name, IntentSlots Slots, IReadOnlyList<IntentName> Candidates, string? Problem = null)
{
    public static ParsedIntent Unknown(string? problem = null) => new(IntentParseOutcome.Unknown, null, IntentSlots.None, [], problem);
}

/// <summary>
/// A small deterministic grammar from short English utterances to intents (docs/road.md): each intent has a rule over
/// the words; exactly one rule matching is an intent, none is unknown, several are ambiguous. No model, no regular
/// expression: the same words always give the same answer, and a hostile utterance costs at most its bounded length.
/// </summary>
public static class IntentGrammar
{
    public const int MaxUtteranceLength = 300;

    private static readonly string[] ClimateWords = ["warm", "heat", "heating", "preheat", "cool", "precondition", "preconditioning", "defrost", "climate", "ac", "aircon", "hvac"];
    private static readonly string[] QuestionStarts = ["is", "are", "did", "was", "were", "have", "has"];

    public static ParsedIntent Parse(string? utterance)
    {
        if (string.IsNullOrWhiteSpace(utterance))
        {
            return ParsedIntent.Unknown("the utterance is empty");
        }

        if (utterance.Length > MaxUtteranceLength)
        {
            return ParsedIntent.Unknown($"the utterance is longer than {MaxUtteranceLength} characters");
        }

        var words = Words(utterance);
        var question = utterance.Contains('?', StringComparison.Ordinal) || (words.Count > 0 && QuestionStarts.Contains(words[0]));
        bool Has(string w) => words.Contains(w);
        bool Any(params string[] ws) => ws.Any(words.Contains);

        var stop = Any("stop", "cancel", "end", "halt", "off");
        var charge = Any("charge", "charging");
        var climate = Any(ClimateWords);
        var matched = new List<IntentName>();

        if (Has("unlock") || (Has("open") && Any("door", "doors", "car")))
        {
            matched.Add(IntentName.UnlockDoors);
        }

        if (Has("lock") || (Has("locked") && !question))
        {
            matched.Add(IntentName.LockDoors);
        }

        if (Has("locked") && question)
        {
            matched.Add(IntentName.IsLocked);
        }

        if (climate)
        {
            matched.Add(stop ? IntentName.StopPreconditioning : IntentName.Precondition);
        }

        var percent = Number(words, "percent", "%");
        var limit = Any("limit", "max", "maximum") || (charge && percent is not null && Any("to", "until", "up"));
        if (charge && limit)
        {
            matched.Add(IntentName.SetChargeLimit);
        }
        else if (charge && stop)
        {
            matched.Add(IntentName.StopCharging);
        }
        else if (charge && (Any("start", "begin", "resume", "plug") || (words.Count > 0 && words[0] == "charge")))
        {
            matched.Add(IntentName.StartCharging);
        }
        else if (Any("battery", "soc") || (charge && Any("much", "level", "state", "left", "percent")))
        {
            matched.Add(IntentName.BatteryLevel);
        }

        if (Has("range") || (Has("far") && Any("drive", "go", "get")) || Any("miles", "kilometres", "kilometers", "km"))
        {
            matched.Add(IntentName.Range);
        }

        if (Has("where") || Any("locate", "find", "parked"))
        {
            matched.Add(IntentName.WhereIsMyCar);
        }

        if (matched.Count == 0)
        {
            return ParsedIntent.Unknown();
        }

        if (matched.Count > 1)
        {
            return new ParsedIntent(IntentParseOutcome.Ambiguous, null, IntentSlots.None, matched);
        }

        var name = matched[0];
        var slots = name switch
        {
            IntentName.Precondition => new IntentSlots(TemperatureC: Temperature(words), At: TimeOfDay(words)),
            IntentName.SetChargeLimit => new IntentSlots(Limit: percent is { } p && p == Math.Floor(p) && p is >= 0 and <= 100 ? (int)p : null),
            _ => IntentSlots.None,
        };
        return new ParsedIntent(IntentParseOutcome.Recognized, name, slots, [name]);
    }

    /// <summary>A structured intent: its name (case-insensitive) and slots <c>temperature</c>, <c>at</c> (ISO 8601 or HH:mm), <c>limit</c>.</summary>
    public static ParsedIntent FromStructured(string? intent, JsonElement? slots)
    {
        if (string.IsNullOrWhiteSpace(intent) || intent.Length > 64 || !Enum.TryParse<IntentName>(intent, ignoreCase: true, out var name) || !Enum.IsDefined(name)
            || int.TryParse(intent, out _))
        {
            return ParsedIntent.Unknown($"intent must be one of {string.Join(", ", Enum.GetNames<IntentName>())}");
        }

        var result = IntentSlots.None;
        if (slots is { ValueKind: JsonValueKind.Object } s)
        {
            foreach (var slot in s.EnumerateObject())
            {
                switch (slot.Name)
                {
                    case "temperature" or "temperatureC" when slot.Value.ValueKind == JsonValueKind.Number:
                        result = result with { TemperatureC = slot.Value.GetDouble() };
                        break;
                    case "limit" when slot.Value.ValueKind == JsonValueKind.Number && slot.Value.TryGetInt32(out var limit):
                        result = result with { Limit = limit };
                        break;
                    case "at" when slot.Value.ValueKind == JsonValueKind.String:
                        var text = slot.Value.GetString()!;
                        if (TimeOnly.TryParseExact(text, ["HH:mm", "H:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
                        {
                            result = result with { At = time };
                        }
                        else if (text.Length <= 40 && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant)
                                 && (text.EndsWith('Z') || text.LastIndexOfAny(['+', '-']) > 10))
                        {
                            result = result with { AtInstant = instant };
                        }
                        else
                        {
                            return ParsedIntent.Unknown("slot 'at' is a time of day (HH:mm) or an ISO 8601 instant with its offset");
                        }

                        break;
                    default:
                        return ParsedIntent.Unknown($"slot '{(slot.Name.Length <= 32 ? slot.Name : slot.Name[..32])}' is unknown or not of its type (temperature: number, at: string, limit: integer)");
                }
            }
        }
        else if (slots is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) })
        {
            return ParsedIntent.Unknown("slots must be an object");
        }

        return new ParsedIntent(IntentParseOutcome.Recognized, name, result, [name]);
    }

    /// <summary>Lower-case words of letters and digits; ':' and '.' stay inside numbers ("7:30", "21.5"), '%' stands alone.</summary>
    private static List<string> Words(string utterance)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        void Flush()
        {
            if (word.Length > 0)
            {
                words.Add(word.ToString().TrimEnd('.', ':'));
                word.Clear();
            }
        }

        foreach (var raw in utterance)
        {
            var c = char.ToLowerInvariant(raw);
            if (char.IsAsciiLetterOrDigit(c) || ((c is ':' or '.') && word.Length > 0 && char.IsAsciiDigit(word[^1])))
            {
                word.Append(c);
            }
            else
            {
                Flush();
                if (c is '%' or '°')
                {
                    words.Add(c.ToString());
                }
            }
        }

        Flush();
        return words;
    }

    /// <summary>The number before one of <paramref name="units"/> ("80 percent", "80%"), or in the same word ("80%").</summary>
    private static double? Number(List<string> words, params string[] units)
    {
        for (var i = 1; i < words.Count; i++)
        {
            if (units.Contains(words[i]) && TryNumber(words[i - 1], out var n))
            {
                return n;
            }
        }

        return null;
    }

    private static double? Temperature(List<string> words)
    {
        if (Number(words, "degrees", "degree", "°", "c", "celsius") is { } withUnit)
        {
            return withUnit;
        }

        // "to 21" without a unit: the number after "to" that is not a time.
        for (var i = 0; i < words.Count - 1; i++)
        {
            if (words[i] == "to" && !words[i + 1].Contains(':') && TryNumber(words[i + 1], out var n))
            {
                return n;
            }
        }

        return null;
    }

    private static TimeOnly? TimeOfDay(List<string> words)
    {
        for (var i = 0; i < words.Count - 1; i++)
        {
            if (words[i] != "at")
            {
                continue;
            }

            var token = words[i + 1].Replace('.', ':');
            var parts = token.Split(':');
            if (parts.Length > 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var hour)
                || (parts.Length == 2 && (parts[1].Length != 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out _))))
            {
                continue;
            }

            var minute = parts.Length == 2 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : 0;
            var suffix = i + 2 < words.Count ? words[i + 2] : null;
            if (suffix is "pm" && hour is >= 1 and < 12)
            {
                hour += 12;
            }
            else if (suffix is "am" && hour == 12)
            {
                hour = 0;
            }

            if (hour is >= 0 and < 24 && minute is >= 0 and < 60)
            {
                return new TimeOnly(hour, minute);
            }
        }

        return null;
    }

    private static bool TryNumber(string word, out double value) =>
        double.TryParse(word, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value) && word.Length <= 8;
}
