using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Security;

/// <summary>Refuses settings that would leave the API or the broker open, with the key to fix in the message.</summary>
public sealed class AuthOptionsValidator(IHostEnvironment environment) : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.SigningKey) && string.IsNullOrWhiteSpace(options.Authority))
        {
            return ValidateOptionsResult.Fail("Auth:SigningKey or Auth:Authority must be set (mint tokens with a signing key, or trust an OpenID Connect authority)");
        }

        if (!string.IsNullOrEmpty(options.SigningKey) && Encoding.UTF8.GetByteCount(options.SigningKey) < AuthOptions.MinSigningKeyBytes)
        {
            return ValidateOptionsResult.Fail($"Auth:SigningKey must be at least {AuthOptions.MinSigningKeyBytes} bytes for HS256");
        }

        if (!environment.IsDevelopment() && string.Equals(options.SigningKey, AuthOptions.DevelopmentSigningKey, StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Fail($"Auth:SigningKey is the public development key, which is refused outside Development (environment: {environment.EnvironmentName}); set a secret of your own");
        }

        if (!string.IsNullOrEmpty(options.Authority) && !Uri.TryCreate(options.Authority, UriKind.Absolute, out _))
        {
            return ValidateOptionsResult.Fail("Auth:Authority must be an absolute URL");
        }

        return ValidateOptionsResult.Success;
    }
}
