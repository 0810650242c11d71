using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Gateway.Mqtt;

public sealed class MqttOptionsValidator(IHostEnvironment environment) : IValidateOptions<MqttOptions>
{
    public ValidateOptionsResult Validate(string? name, MqttOptions options)
    {
        if (options.AllowAnonymous && environment.IsProduction())
        {
            return ValidateOptionsResult.Fail("Mqtt:AllowAnonymous=true is refused in Production: every car must present a vehicle token");
        }

        if (!Enum.IsDefined(options.Mode))
        {
            return ValidateOptionsResult.Fail($"Mqtt:Mode must be {string.Join(" or ", Enum.GetNames<MqttMode>())}, not {(int)options.Mode}");
        }

        if (!string.IsNullOrEmpty(options.Host) && !System.Net.IPAddress.TryParse(options.Host, out _))
        {
            return ValidateOptionsResult.Fail($"Mqtt:Host must be an IP address to listen on, not '{options.Host}'");
        }

        return ValidateOptionsResult.Success;
    }
}
