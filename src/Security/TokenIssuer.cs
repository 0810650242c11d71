using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DigitalTwin.Security;

/// <summary>Mints the HS256 tokens of the embedded default: vehicle tokens for MQTT, user and operator tokens for the API.</summary>
public sealed class TokenIssuer(string signingKey, string issuer = AuthOptions.DefaultIssuer, string audience = AuthOptions.DefaultIssuer, TimeProvider? timeProvider = null)
{
    private readonly SigningCredentials _credentials = new(SigningKeys.FromSecret(signingKey), SecurityAlgorithms.HmacSha256);
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public string Mint(string subject, string role, TimeSpan lifetime)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        var now = _time.GetUtcNow().UtcDateTime;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.Add(lifetime),
            Subject = new ClaimsIdentity([new Claim("sub", subject), new Claim(Roles.ClaimType, role)]),
            SigningCredentials = _credentials,
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }
}
