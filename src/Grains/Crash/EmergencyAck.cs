using DigitalTwin.Grains.Abstractions.Commands;
using DigitalTwin.Grains.Abstractions.Crash;
using DigitalTwin.Grains.Abstractions.Vehicles;
using DigitalTwin.Grains.Commands;

namespace DigitalTwin.Grains.Crash;

/// <summary>
/// The <c>emergency.ack</c> command that tells a car its crash alert was stored: the contract's command document on
/// <c>vehicles/{vin}/commands</c>, with the alert's id and severity as parameters.
/// </summary>
public static class EmergencyAck
{
    /// <summary>How long the car should treat the acknowledgement as current.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    public static OutboundMessage For(CrashAlert alert, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var severity = alert.Incident.Severity.ToString().ToLowerInvariant();
        var payload = CommandDocument.Write(
            Guid.NewGuid(),
            CommandNames.EmergencyAck,
            json =>
            {
                json.WriteStartObject();
                json.WriteString("alertId", alert.Id);
                json.WriteString("severity", severity);
                json.WriteEndObject();
            },
            now.Add(Lifetime));
        return new OutboundMessage(alert.Vin, CommandTopics.For(alert.Vin), payload);
    }
}
