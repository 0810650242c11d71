using System.Globalization;
using System.Text;
using System.Text.Json;

namespace DigitalTwin.Contract.Commands;

/// <summary>
/// The <c>params</c> of the contract's commands: the names a car reads, and writers for the params the cloud
/// composes itself (a planned preconditioning start, the acknowledgement of a crash alert).
/// </summary>
public static class CommandParameters
{
    public const string TargetTemperatureC = "targetTemperatureC";
    public const string DepartureAt = "departureAt";
    public const string Limit = "limit";
    public const string AlertId = "alertId";
    public const string Severity = "severity";

    /// <summary>The params of <c>hvac.precondition</c>; the departure as ISO 8601 with its offset.</summary>
    public static string HvacPrecondition(double targetTemperatureC, DateTimeOffset departureAt) =>
        Write((targetTemperatureC, departureAt), static (json, p) =>
        {
            json.WriteNumber(TargetTemperatureC, p.targetTemperatureC);
            json.WriteString(DepartureAt, p.departureAt.ToString("O", CultureInfo.InvariantCulture));
        });

    /// <summary>The params of <c>emergency.ack</c>: which alert was stored, and how severe it is.</summary>
    public static string EmergencyAck(string alertId, string severity) =>
        Write((alertId, severity), static (json, p) =>
        {
            json.WriteString(AlertId, p.alertId);
            json.WriteString(Severity, p.severity);
        });

    private static string Write<TState>(TState state, Action<Utf8JsonWriter, TState> writeMembers)
    {
        using var buffer = new MemoryStream(128);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            writeMembers(json, state);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
