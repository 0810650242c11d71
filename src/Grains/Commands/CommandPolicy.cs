using System.Buffers;
using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DigitalTwin.Contract.Commands;
using DigitalTwin.Contract.Telemetry;
using DigitalTwin.Grains.Abstractions.Commands;
using DigitalTwin.Grains.Abstractions.Telemetry;
using DigitalTwin.Grains.Preconditioning;

namespace DigitalTwin.Grains.Commands;

/// <summary>
/// The rules a cloud-to-car command passes before it is queued.
/// <list type="number">
/// <item><b>Validation</b>: the name is one of <see cref="CommandNames.All"/>; <c>ttlSeconds</c>, when given, is
/// 1..86400; <c>params</c> is a JSON object of at most <see cref="MaxParamsLength"/> characters holding only the
/// command's parameters, each once, with the right type and range:
/// <c>hvac.precondition</c> needs a number <c>targetTemperatureC</c> in 16..28 (<see cref="TargetTemperature"/>) and takes an optional
/// <c>departureAt</c> (<see cref="DepartureTime"/>: ISO-8601 with an offset or Z, in the future, at most
/// <see cref="CommandPolicyOptions.MaxDepartureAhead"/> ahead); <c>charging.setLimit</c> needs an integer
/// <c>limit</c> in 50..100; <c>emergency.ack</c> takes an optional string <c>alertId</c> of at most
/// <see cref="MaxAlertIdLength"/> characters; the other commands take none. Every error is reported with its field;
/// values are never echoed back.</item>
/// <item><b>Guard by the twin's known state</b>: <c>charging.start</c> is refused while the charging cable is reported
/// disconnected, and <c>doors.unlock</c> while |speed| is above <see cref="CommandPolicyOptions.MovingSpeedKmh"/>.
/// A signal the car never reported is no reason to refuse: the car checks again itself.</item>
/// <item><b>Supersede</b>: a newer command of the same kind (<see cref="KindOf"/>) replaces older ones that were
/// never sent, so that a car waking up gets only the latest intent.</item>
/// </list>
/// The command's life after that is <see cref="CommandLifecycle"/>'s business.
/// </summary>
public sealed class CommandPolicy
{
    public const int MinTtlSeconds = 1;
    public const int MaxTtlSeconds = 86_400;
    public const int MaxParamsLength = 4096;
    public const int MaxAlertIdLength = 128;
    public const int MinChargeLimit = 50;
    public const int MaxChargeLimit = 100;

    private const string TargetTemperatureC = CommandParameters.TargetTemperatureC;
    private const string DepartureAt = CommandParameters.DepartureAt;
    private const string Limit = CommandParameters.Limit;
    private const string AlertId = CommandParameters.AlertId;

    // Long enough to recognise a typo, short enough that an error never carries a payload back.
    private const int MaxEchoLength = 64;
    private const int MaxErrors = 10;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 8 };

    private static readonly FrozenDictionary<string, string[]> ParametersByName = new Dictionary<string, string[]>
    {
        [CommandNames.HvacPrecondition] = [TargetTemperatureC, DepartureAt],
        [CommandNames.HvacStop] = [],
        [CommandNames.DoorsLock] = [],
        [CommandNames.DoorsUnlock] = [],
        [CommandNames.ChargingStart] = [],
        [CommandNames.ChargingStop] = [],
        [CommandNames.ChargingSetLimit] = [Limit],
        [CommandNames.EmergencyAck] = [AlertId],
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly string ExpectedNames = string.Join(", ", CommandNames.All);

    private readonly CommandPolicyOptions _options;

    public CommandPolicy(CommandPolicyOptions? options = null)
    {
        _options = options ?? new CommandPolicyOptions();
    }

    /// <summary>Checks name, time to live and parameters; an empty list means valid.</summary>
    public IReadOnlyList<CommandValidationError> Validate(CommandRequest request, DateTimeOffset now) =>
        Check(request, now, out _);

    /// <summary>
    /// Whether the twin's known state forbids the command now.
    /// </summary>
    /// <returns>The reason for a conflict, or null when the command may go.</returns>
    public string? CheckState(string name, IReadOnlyDictionary<string, SignalReading> signals)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(signals);
        switch (name)
        {
            case CommandNames.ChargingStart when ReadBoolean(signals, SignalCatalogue.IsChargingCableConnected) == false:
                return "the charging cable is not connected";

            // Reversing is negative speed in VSS and just as unsafe to open doors in.
            case CommandNames.DoorsUnlock when ReadNumber(signals, SignalCatalogue.Speed) is { } speed
                                               && Math.Abs(speed) > _options.MovingSpeedKmh:
                return string.Create(
                    CultureInfo.InvariantCulture,
                    $"the vehicle is moving at {Math.Abs(speed):0.#} km/h; doors unlock only at {_options.MovingSpeedKmh:0.#} km/h or less");

            default:
                return null;
        }
    }

    /// <summary>Validates, then guards by state; an allowed request becomes a pending command created now.</summary>
    public CommandDecision Decide(
        CommandRequest request,
        IReadOnlyDictionary<string, SignalReading> signals,
        Guid id,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(signals);
        if (id == Guid.Empty)
        {
            throw new ArgumentException("A command needs a non-empty id.", nameof(id));
        }

        var errors = Check(request, now, out var normalizedParams);
        if (errors.Count > 0)
        {
            return CommandDecision.Invalid([.. errors]);
        }

        var name = request.Name!;
        if (CheckState(name, signals) is { } conflict)
        {
            return CommandDecision.Conflicted(conflict);
        }

        var ttl = TimeSpan.FromSeconds(request.TtlSeconds ?? _options.DefaultTtlSeconds);
        return CommandDecision.Allowed(new VehicleCommand(id, name, normalizedParams, now, now + ttl, CommandState.Pending));
    }

    /// <summary>
    /// Commands of one kind act on the same thing, so only the latest of them is still meant: cabin climate
    /// (<c>hvac.*</c>), the locks (<c>doors.*</c>), the charging session (<c>charging.start</c>, <c>charging.stop</c>)
    /// and the charge limit (<c>charging.setLimit</c>).
    /// </summary>
    /// <returns>The kind, or null for a command that never supersedes or is superseded: every <c>emergency.ack</c>
    /// answers its own alert.</returns>
    public static string? KindOf(string name) => name switch
    {
        CommandNames.HvacPrecondition or CommandNames.HvacStop => "hvac",
        CommandNames.DoorsLock or CommandNames.DoorsUnlock => "doors",
        CommandNames.ChargingStart or CommandNames.ChargingStop => "charging",
        CommandNames.ChargingSetLimit => "charging.limit",
        _ => null,
    };

    /// <summary>
    /// The queued commands that <paramref name="incoming"/> replaces: pending (never sent) ones of its kind created no
    /// later than it. A sent command is left alone; the car has it already.
    /// </summary>
    public static IReadOnlyList<VehicleCommand> SupersededBy(VehicleCommand incoming, IEnumerable<VehicleCommand> queue)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        ArgumentNullException.ThrowIfNull(queue);
        if (KindOf(incoming.Name) is not { } kind)
        {
            return [];
        }

        return queue
            .Where(c => c.Id != incoming.Id
                        && c.State == CommandState.Pending
                        && c.CreatedAt <= incoming.CreatedAt
                        && KindOf(c.Name) == kind)
            .ToList();
    }

    private List<CommandValidationError> Check(CommandRequest request, DateTimeOffset now, out string normalizedParams)
    {
        ArgumentNullException.ThrowIfNull(request);
        normalizedParams = "{}";
        var errors = new List<CommandValidationError>();

        if (request.TtlSeconds is { } ttl && ttl is < MinTtlSeconds or > MaxTtlSeconds)
        {
            errors.Add(new("ttlSeconds", $"must be an integer from {MinTtlSeconds} to {MaxTtlSeconds}"));
        }

        if (string.IsNullOrEmpty(request.Name))
        {
            errors.Add(new("name", $"is required; expected one of {ExpectedNames}"));
            return errors;
        }

        // The schema depends on the name, so without a known name there is nothing to check the params against.
        if (!ParametersByName.TryGetValue(request.Name, out var allowed))
        {
            errors.Add(new("name", $"is not a known command; expected one of {ExpectedNames}"));
            return errors;
        }

        var paramsText = request.ParamsJson;
        if (paramsText is { Length: > MaxParamsLength })
        {
            errors.Add(new("params", $"is {paramsText.Length} characters long; the limit is {MaxParamsLength}"));
            return errors;
        }

        JsonDocument? document = null;
        if (!string.IsNullOrWhiteSpace(paramsText))
        {
            try
            {
                document = JsonDocument.Parse(paramsText, DocumentOptions);
            }
            catch (JsonException)
            {
                errors.Add(new("params", "is not valid JSON"));
                return errors;
            }
        }

        using (document)
        {
            if (ReadParameters(request.Name, allowed, document, errors) is { } parameters)
            {
                var canonical = WriteCanonical(request.Name, parameters, now, errors);
                if (errors.Count == 0)
                {
                    normalizedParams = canonical;
                }
            }
        }

        // A flood of bad properties says no more than the first few do.
        if (errors.Count > MaxErrors)
        {
            errors.RemoveRange(MaxErrors, errors.Count - MaxErrors);
        }

        return errors;
    }

    /// <returns>The known parameters by name, or null when <c>params</c> is not an object at all.</returns>
    private static Dictionary<string, JsonElement>? ReadParameters(
        string name, string[] allowed, JsonDocument? document, List<CommandValidationError> errors)
    {
        var parameters = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (document is null || document.RootElement.ValueKind == JsonValueKind.Null)
        {
            return parameters;
        }

        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new("params", "must be a JSON object"));
            return null;
        }

        foreach (var property in root.EnumerateObject())
        {
            var field = "params." + Echo(property.Name);
            if (!allowed.Contains(property.Name, StringComparer.Ordinal))
            {
                errors.Add(new(field, allowed.Length == 0
                    ? $"is not a parameter of {name}, which takes none"
                    : $"is not a parameter of {name}; expected {string.Join(", ", allowed)}"));
            }
            else if (!parameters.TryAdd(property.Name, property.Value))
            {
                // Readers disagree on which copy wins; the car must not act on a different value than we checked.
                errors.Add(new(field, "appears more than once"));
            }
        }

        return parameters;
    }

    /// <summary>
    /// Checks each parameter of the command and writes the valid ones in one canonical form, so that the car and the
    /// command's status page see exactly what was validated.
    /// </summary>
    private string WriteCanonical(
        string name, Dictionary<string, JsonElement> parameters, DateTimeOffset now, List<CommandValidationError> errors)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            switch (name)
            {
                case CommandNames.HvacPrecondition:
                    if (RequireTargetTemperature(parameters, errors) is { } target)
                    {
                        json.WriteNumber(TargetTemperatureC, target);
                    }

                    if (OptionalDeparture(parameters, now, errors) is { } departure)
                    {
                        json.WriteString(DepartureAt, departure.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
                    }

                    break;

                case CommandNames.ChargingSetLimit:
                    if (RequireInteger(parameters, Limit, MinChargeLimit, MaxChargeLimit, errors) is { } limit)
                    {
                        json.WriteNumber(Limit, limit);
                    }

                    break;

                case CommandNames.EmergencyAck:
                    if (OptionalString(parameters, AlertId, MaxAlertIdLength, errors) is { } alertId)
                    {
                        json.WriteString(AlertId, alertId);
                    }

                    break;
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static double? RequireTargetTemperature(Dictionary<string, JsonElement> parameters, List<CommandValidationError> errors)
    {
        const string field = "params." + TargetTemperatureC;
        if (!parameters.TryGetValue(TargetTemperatureC, out var element))
        {
            errors.Add(new(field, "is required"));
            return null;
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out var value) || !double.IsFinite(value))
        {
            errors.Add(new(field, "must be a number"));
            return null;
        }

        if (!TargetTemperature.IsValid(value))
        {
            errors.Add(new(field, string.Create(CultureInfo.InvariantCulture, $"must be from {TargetTemperature.MinC} to {TargetTemperature.MaxC}")));
            return null;
        }

        return value;
    }

    private static int? RequireInteger(
        Dictionary<string, JsonElement> parameters, string parameter, int min, int max, List<CommandValidationError> errors)
    {
        var field = "params." + parameter;
        if (!parameters.TryGetValue(parameter, out var element))
        {
            errors.Add(new(field, "is required"));
            return null;
        }

        // JSON has one number type: 80 and 80.0 are the same integer, 80.5 is not one.
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out var value) || Math.Floor(value) != value)
        {
            errors.Add(new(field, "must be an integer"));
            return null;
        }

        if (value < min || value > max)
        {
            errors.Add(new(field, $"must be an integer from {min} to {max}"));
            return null;
        }

        return (int)value;
    }

    private static string? OptionalString(
        Dictionary<string, JsonElement> parameters, string parameter, int maxLength, List<CommandValidationError> errors)
    {
        if (!parameters.TryGetValue(parameter, out var element))
        {
            return null;
        }

        var field = "params." + parameter;
        if (element.ValueKind != JsonValueKind.String)
        {
            errors.Add(new(field, "must be a string"));
            return null;
        }

        var value = element.GetString()!;
        if (value.Length is 0 || value.Length > maxLength)
        {
            errors.Add(new(field, $"must be 1 to {maxLength} characters long"));
            return null;
        }

        return value;
    }

    private DateTimeOffset? OptionalDeparture(
        Dictionary<string, JsonElement> parameters, DateTimeOffset now, List<CommandValidationError> errors)
    {
        if (!parameters.TryGetValue(DepartureAt, out var element))
        {
            return null;
        }

        var field = "params." + DepartureAt;
        if (element.ValueKind != JsonValueKind.String || !DepartureTime.TryParse(element.GetString(), out var departure))
        {
            errors.Add(new(field, "must be an ISO-8601 date and time with an offset or Z, e.g. 2026-11-24T07:30:00+01:00"));
            return null;
        }

        switch (DepartureTime.Check(departure, now, _options.MaxDepartureAhead))
        {
            case DepartureCheck.NotInFuture:
                errors.Add(new(field, "is not in the future"));
                return null;
            case DepartureCheck.TooFarAhead:
                errors.Add(new(field, $"is more than {_options.MaxDepartureAhead.TotalHours:0.#} hours ahead"));
                return null;
            default:
                return departure;
        }
    }

    private static bool? ReadBoolean(IReadOnlyDictionary<string, SignalReading> signals, string name) =>
        signals.TryGetValue(name, out var reading) && reading.Value.Kind == SignalKind.Boolean
            ? reading.Value.AsBoolean
            : null;

    private static double? ReadNumber(IReadOnlyDictionary<string, SignalReading> signals, string name) =>
        signals.TryGetValue(name, out var reading) && reading.Value.Kind == SignalKind.Number
            ? reading.Value.Number
            : null;

    private static string Echo(string text) => text.Length <= MaxEchoLength ? text : string.Concat(text.AsSpan(0, MaxEchoLength), "...");
}
