using DigitalTwin.Contract;
using DigitalTwin.Contract.Commands;
using DigitalTwin.Grains.Abstractions.Crash;

namespace DigitalTwin.Grains.Crash;

/// <summary>
/// The <c>emergency.ack</c> command that tells a car its crash alert was stored: the contract's command document on
/// <c>vehicles/{vin}/commands</c>, with the alert's id and severity as parameters.
/// </summary>
public static class EmergencyAck
{
    /// <summary>How long the car should treat the acknowledgement as current.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    public static CommandMessage For(CrashAlert alert, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return new CommandMessage(
            alert.Vin,
            Guid.NewGuid(),
            CommandNames.EmergencyAck,
            CommandParameters.EmergencyAck(alert.Id, WireName.Of(alert.Incident.Severity)),
            now.Add(Lifetime));
    }
}
