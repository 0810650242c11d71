using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Telemetry;

namespace DigitalTwin.Grains.FleetQuery;

/// <summary>The comparison of one predicate.</summary>
public enum FilterOperator
{
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Equal,
    NotEqual,
}

/// <summary>One <c>path op value</c> of a filter; the value is a number, a boolean (as 1 or 0) or a string.</summary>
public sealed record FilterPredicate(string Path, FilterOperator Operator, SignalValue Value);

/// <summary>
/// The fleet filter grammar (docs/road.md): predicates over VSS paths joined by <c>and</c>.
/// <code>
/// filter    = predicate *( "and" predicate )        ; at most 8 predicates, 512 characters
/// predicate = path op value
/// path      = "Vehicle" 1*( "." segment )           ; a well-formed VSS path
/// op        = "&lt;" / "&lt;=" / "&gt;" / "&gt;=" / "=" / "==" / "!="
/// value     = number / "true" / "false" / quoted    ; quoted: '...' or "..." without the quote inside, 256 at most
/// </code>
/// Parsing is one pass over the text with no recursion and no regular expression, so a hostile filter costs at most its
/// (bounded) length. A predicate on a signal the twin does not hold is false; ordering a string or a boolean is refused.
/// </summary>
public sealed class FleetFilter
{
    public const int MaxLength = 512;
    public const int MaxPredicates = 8;

    private FleetFilter(IReadOnlyList<FilterPredicate> predicates) => Predicates = predicates;

    public IReadOnlyList<FilterPredicate> Predicates { get; }

    /// <returns>False with a reason that says what is wrong and where, never echoing more than a short excerpt.</returns>
    public static bool TryParse(string? text, [NotNullWhen(true)] out FleetFilter? filter, [NotNullWhen(false)] out string? error)
    {
        filter = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "filter is empty; write predicates such as Vehicle.Speed>50 and Vehicle.Powertrain.TractionBattery.StateOfCharge.Current<20";
            return false;
        }

        if (text.Length > MaxLength)
        {
            error = $"filter is longer than {MaxLength} characters";
            return false;
        }

        var predicates = new List<FilterPredicate>();
        var reader = new Reader(text);
        while (true)
        {
            if (predicates.Count == MaxPredicates)
            {
                error = $"filter has more than {MaxPredicates} predicates";
                return false;
            }

            if (!TryPredicate(ref reader, out var predicate, out error))
            {
                return false;
            }

            predicates.Add(predicate);
            reader.SkipSpaces();
            if (reader.AtEnd)
            {
                break;
            }

            var word = reader.Word();
            if (!word.Equals("and", StringComparison.OrdinalIgnoreCase))
            {
                error = word.Equals("or", StringComparison.OrdinalIgnoreCase)
                    ? $"only 'and' combines predicates (at {reader.Position}); ask twice for 'or'"
                    : $"expected 'and' or the end of the filter at {reader.Position}";
                return false;
            }
        }

        filter = new FleetFilter(predicates);
        error = null;
        return true;
    }

    public bool Matches(IReadOnlyDictionary<string, SignalReading> signals)
    {
        foreach (var predicate in Predicates)
        {
            if (!signals.TryGetValue(predicate.Path, out var reading) || !Compare(reading.Value, predicate))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Compare(SignalValue actual, FilterPredicate predicate)
    {
        var expected = predicate.Value;
        if (expected.Kind == SignalKind.Text || actual.Kind == SignalKind.Text)
        {
            var equal = actual.Kind == expected.Kind && string.Equals(actual.Text, expected.Text, StringComparison.Ordinal);
            return predicate.Operator == FilterOperator.Equal ? equal : predicate.Operator == FilterOperator.NotEqual && !equal;
        }

        if (actual.Kind != expected.Kind)
        {
            return predicate.Operator == FilterOperator.NotEqual;
        }

        var a = actual.Number;
        var b = expected.Number;
        return predicate.Operator switch
        {
            FilterOperator.Less => a < b,
            FilterOperator.LessOrEqual => a <= b,
            FilterOperator.Greater => a > b,
            FilterOperator.GreaterOrEqual => a >= b,
            FilterOperator.Equal => a == b,
            _ => a != b,
        };
    }

    private static bool TryPredicate(ref Reader reader, [NotNullWhen(true)] out FilterPredicate? predicate, [NotNullWhen(false)] out string? error)
    {
        predicate = null;
        reader.SkipSpaces();
        var start = reader.Position;
        var path = reader.Path();
        if (!SignalCatalogue.IsWellFormedName(path))
        {
            error = path.Length == 0
                ? $"expected a VSS path such as Vehicle.Speed at {start}"
                : $"'{Excerpt(path)}' at {start} is not a VSS path (Vehicle.Segment.Segment, letters, digits and _)";
            return false;
        }

        reader.SkipSpaces();
        var opAt = reader.Position;
        if (!reader.TryOperator(out var op))
        {
            error = $"expected <, <=, >, >=, =, == or != after {Excerpt(path.ToString())} at {opAt}";
            return false;
        }

        reader.SkipSpaces();
        var valueAt = reader.Position;
        if (!reader.TryValue(out var value, out error))
        {
            error = $"{error} at {valueAt}";
            return false;
        }

        if (value.Kind != SignalKind.Number && op is not (FilterOperator.Equal or FilterOperator.NotEqual))
        {
            error = $"a {(value.Kind == SignalKind.Text ? "string" : "boolean")} can only be compared with = or != (at {opAt})";
            return false;
        }

        // Compare a known signal with a value of its kind, so a typo of type is a 400, not an empty answer.
        if (SignalCatalogue.TryGet(path, out var spec) && spec.Kind != value.Kind)
        {
            error = $"{spec.Name} is a {spec.Kind.ToString().ToLowerInvariant()}; the value at {valueAt} is not";
            return false;
        }

        predicate = new FilterPredicate(path.ToString(), op, value);
        return true;
    }

    private static string Excerpt(ReadOnlySpan<char> text) => text.Length <= 40 ? text.ToString() : string.Concat(text[..40], "...");

    private ref struct Reader(string text)
    {
        private readonly string _text = text;

        public int Position { get; private set; }

        public readonly bool AtEnd => Position >= _text.Length;

        public void SkipSpaces()
        {
            while (!AtEnd && char.IsWhiteSpace(_text[Position]))
            {
                Position++;
            }
        }

        public ReadOnlySpan<char> Path()
        {
            var start = Position;
            while (!AtEnd && (char.IsAsciiLetterOrDigit(_text[Position]) || _text[Position] is '.' or '_'))
            {
                Position++;
            }

            return _text.AsSpan(start, Position - start);
        }

        public string Word()
        {
            var start = Position;
            while (!AtEnd && char.IsAsciiLetter(_text[Position]))
            {
                Position++;
            }

            return _text[start..Position];
        }

        public bool TryOperator(out FilterOperator op)
        {
            var rest = _text.AsSpan(Position);
            (op, var length) = rest switch
            {
                _ when rest.StartsWith("<=") => (FilterOperator.LessOrEqual, 2),
                _ when rest.StartsWith(">=") => (FilterOperator.GreaterOrEqual, 2),
                _ when rest.StartsWith("==") => (FilterOperator.Equal, 2),
                _ when rest.StartsWith("!=") => (FilterOperator.NotEqual, 2),
                _ when rest.StartsWith("<") => (FilterOperator.Less, 1),
                _ when rest.StartsWith(">") => (FilterOperator.Greater, 1),
                _ when rest.StartsWith("=") => (FilterOperator.Equal, 1),
                _ => (FilterOperator.Equal, 0),
            };
            Position += length;
            return length > 0;
        }

        public bool TryValue(out SignalValue value, [NotNullWhen(false)] out string? error)
        {
            value = default;
            error = null;
            if (AtEnd)
            {
                error = "expected a value";
                return false;
            }

            var quote = _text[Position];
            if (quote is '\'' or '"')
            {
                var end = _text.IndexOf(quote, Position + 1);
                if (end < 0)
                {
                    error = "the quoted value is not closed";
                    return false;
                }

                var inner = _text[(Position + 1)..end];
                if (inner.Length > SignalCatalogue.MaxTextLength || inner.Any(char.IsControl))
                {
                    error = $"a quoted value holds at most {SignalCatalogue.MaxTextLength} characters and no control characters";
                    return false;
                }

                Position = end + 1;
                value = SignalValue.FromText(inner);
                return true;
            }

            var start = Position;
            while (!AtEnd && !char.IsWhiteSpace(_text[Position]))
            {
                Position++;
            }

            var token = _text.AsSpan(start, Position - start);
            if (token.Equals("true", StringComparison.OrdinalIgnoreCase) || token.Equals("false", StringComparison.OrdinalIgnoreCase))
            {
                value = SignalValue.FromBoolean(token.Equals("true", StringComparison.OrdinalIgnoreCase));
                return true;
            }

            if (token.Length <= 32 && double.TryParse(token, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var number)
                && double.IsFinite(number))
            {
                value = SignalValue.FromNumber(number);
                return true;
            }

            error = "expected a number, true, false or a quoted string";
            return false;
        }
    }
}
