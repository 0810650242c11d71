using DigitalTwin.Gateway.Mqtt.External;
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

        if (options.Mode == MqttMode.External)
        {
            // The embedded broker's listener, TLS and connection settings do not apply: the silo listens for no car.
            var external = MqttExternalOptionsValidator.Validate(options.External);
            return external is not null ? ValidateOptionsResult.Fail(external) : ValidateOptionsResult.Success;
        }

        if (!string.IsNullOrEmpty(options.Host) && !System.Net.IPAddress.TryParse(options.Host, out _))
        {
            return ValidateOptionsResult.Fail($"Mqtt:Host must be an IP address to listen on, not '{options.Host}'");
        }

        var failure = ValidateConnections(options) ?? ValidateTls(options);
        return failure is not null ? ValidateOptionsResult.Fail(failure) : ValidateOptionsResult.Success;
    }

    private static string? ValidateTls(MqttOptions options)
    {
        var tls = options.Tls;
        if (!Enum.IsDefined(tls.ClientCertificateMode))
        {
            return $"Mqtt:Tls:ClientCertificateMode must be {string.Join(", ", Enum.GetNames<ClientCertificateMode>())}";
        }

        if (options.EffectivePlainPort == 0 && !tls.Enabled)
        {
            return "Mqtt:Port (or Mqtt:PlainPort) is 0 and there is no TLS listener (Mqtt:Tls:CertificatePath and Mqtt:Tls:Port): the broker would not listen at all";
        }

        if (!string.IsNullOrWhiteSpace(tls.CertificatePath) && options.EffectivePlainPort != 0 && options.EffectivePlainPort == tls.Port)
        {
            return $"Mqtt:Tls:Port and Mqtt:Port are both {tls.Port}; the plain and the TLS listener need ports of their own";
        }

        if (string.IsNullOrWhiteSpace(tls.CertificatePath))
        {
            return tls.ClientCertificateMode != ClientCertificateMode.None || !string.IsNullOrWhiteSpace(tls.KeyPath)
                ? "Mqtt:Tls:CertificatePath must be set for the TLS settings given (Mqtt:Tls:KeyPath, Mqtt:Tls:ClientCertificateMode)"
                : null;
        }

        if (string.IsNullOrWhiteSpace(tls.KeyPath))
        {
            return "Mqtt:Tls:KeyPath must be set with Mqtt:Tls:CertificatePath (the PEM file of the server certificate's private key)";
        }

        foreach (var (key, path) in new[] { ("Mqtt:Tls:CertificatePath", tls.CertificatePath), ("Mqtt:Tls:KeyPath", tls.KeyPath), ("Mqtt:Tls:ClientCaPath", tls.ClientCaPath), ("Mqtt:Tls:CrlPath", tls.CrlPath) })
        {
            if (!string.IsNullOrWhiteSpace(path) && !File.Exists(path))
            {
                return $"{key}: no file at '{path}'";
            }
        }

        if (tls.ClientCertificateMode != ClientCertificateMode.None && string.IsNullOrWhiteSpace(tls.ClientCaPath))
        {
            return $"Mqtt:Tls:ClientCaPath must name the CA bundle that signs car certificates when Mqtt:Tls:ClientCertificateMode is {tls.ClientCertificateMode}";
        }

        if (tls.ClientCertificateMode == ClientCertificateMode.None && !string.IsNullOrWhiteSpace(tls.CrlPath))
        {
            return "Mqtt:Tls:CrlPath is set but Mqtt:Tls:ClientCertificateMode is None: no car certificate would be checked against it";
        }

        return Tls.TlsMaterial.Check(tls);
    }

    private static string? ValidateConnections(MqttOptions options)
    {
        if (options.ConnectTimeout < TimeSpan.FromMilliseconds(100) || options.ConnectTimeout > TimeSpan.FromHours(1))
        {
            return $"Mqtt:ConnectTimeout must be between 00:00:00.1 and 01:00:00, not {options.ConnectTimeout}";
        }

        if (options.ConnectRate.PerAddress < 0)
        {
            return $"Mqtt:ConnectRate:PerAddress must be 0 (no limit) or a number of connections per second, not {options.ConnectRate.PerAddress}";
        }

        if (options.ConnectRate.PerAddress > 0 && options.ConnectRate.Burst < 1)
        {
            return $"Mqtt:ConnectRate:Burst must be at least 1 while Mqtt:ConnectRate:PerAddress is set, not {options.ConnectRate.Burst}";
        }

        var flapping = options.Flapping;
        if (!flapping.Enabled)
        {
            return null;
        }

        if (flapping.MaxCount < 2)
        {
            return $"Mqtt:Flapping:MaxCount must be at least 2 (a car that connects once and drops is not flapping), not {flapping.MaxCount}";
        }

        if (flapping.Window <= TimeSpan.Zero || flapping.Window > TimeSpan.FromDays(1))
        {
            return $"Mqtt:Flapping:Window must be above zero and at most one day, not {flapping.Window}";
        }

        if (flapping.BanTime <= TimeSpan.Zero || flapping.BanTime > TimeSpan.FromDays(7))
        {
            return $"Mqtt:Flapping:BanTime must be above zero and at most seven days, not {flapping.BanTime}";
        }

        return null;
    }
}
