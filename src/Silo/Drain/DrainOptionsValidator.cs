using Microsoft.Extensions.Options;
using MQTTnet.Protocol;

namespace DigitalTwin.Silo.Drain;

internal sealed class DrainOptionsValidator : IValidateOptions<DrainOptions>
{
    private static readonly MqttDisconnectReasonCode[] Allowed =
    [
        MqttDisconnectReasonCode.ServerShuttingDown,
        MqttDisconnectReasonCode.UseAnotherServer,
        MqttDisconnectReasonCode.ServerMoved,
    ];

    public ValidateOptionsResult Validate(string? name, DrainOptions options)
    {
        if (!Allowed.Contains(options.ReasonCode))
        {
            return ValidateOptionsResult.Fail($"Drain:ReasonCode must be one of {string.Join(", ", Allowed)}, not {options.ReasonCode}");
        }

        if (!string.IsNullOrEmpty(options.ServerReference) && options.ReasonCode == MqttDisconnectReasonCode.ServerShuttingDown)
        {
            // MQTT 5 (3.14.2.2.7): a Server Reference goes with "use another server" or "server moved" only.
            return ValidateOptionsResult.Fail("Drain:ServerReference needs Drain:ReasonCode=UseAnotherServer or ServerMoved");
        }

        if (options.DeregistrationDelay < TimeSpan.Zero || options.DeregistrationDelay > TimeSpan.FromMinutes(5))
        {
            return ValidateOptionsResult.Fail("Drain:DeregistrationDelay must be between 00:00:00 and 00:05:00");
        }

        return options.DisconnectConcurrency is < 1 or > 10_000
            ? ValidateOptionsResult.Fail("Drain:DisconnectConcurrency must be between 1 and 10,000")
            : ValidateOptionsResult.Success;
    }
}
