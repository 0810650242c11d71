using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DigitalTwin.Security;

/// <summary>
/// Decides whether an MQTT CONNECT may open a session: the password must be a vehicle token
/// (<c>role</c> = <c>vehicle</c>) whose <c>sub</c> is the VIN the car claims as client id and user name.
/// </summary>
public sealed class VehicleTokenValidator
{
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly TokenValidationParameters _parameters;

    public VehicleTokenValidator(string signingKey, string issuer = AuthOptions.DefaultIssuer, string audience = AuthOptions.DefaultIssuer, TimeProvider? timeProvider = null)
    {
        var time = timeProvider ?? TimeProvider.System;
        _parameters = new TokenValidationParameters
        {
            ValidIssuer = issuer,
            ValidAudience = audience,
            IssuerSigningKey = SigningKeys.FromSecret(signingKey),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ClockSkew = TimeSpan.FromSeconds(30),
            LifetimeValidator = (notBefore, expires, _, p) =>
            {
                var now = time.GetUtcNow().UtcDateTime;
                return (notBefore is null || notBefore.Value <= now + p.ClockSkew)
                    && expires is not null && expires.Value > now - p.ClockSkew;
            },
        };
    }

    public async Task<VehicleTokenResult> ValidateAsync(string? token, string vin)
    {
        if (string.IsNullOrEmpty(token))
        {
            return VehicleTokenResult.Missing;
        }

        // Hostile clients can send megabytes as a password; a real token is a few hundred bytes.
        if (token.Length > 8192 || !_handler.CanReadToken(token))
        {
            return VehicleTokenResult.Malformed;
        }

        var result = await _handler.ValidateTokenAsync(token, _parameters);
        if (!result.IsValid)
        {
            return result.Exception switch
            {
                SecurityTokenExpiredException or SecurityTokenInvalidLifetimeException or SecurityTokenNoExpirationException => VehicleTokenResult.Expired,
                SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => VehicleTokenResult.BadSignature,
                SecurityTokenInvalidIssuerException or SecurityTokenInvalidAudienceException => VehicleTokenResult.WrongIssuerOrAudience,
                SecurityTokenInvalidAlgorithmException => VehicleTokenResult.BadSignature,
                _ => VehicleTokenResult.Malformed,
            };
        }

        // Read the two claims from the token itself: result.Claims builds a dictionary of every claim on first use,
        // which a reconnect storm pays for once per car.
        var jwt = (JsonWebToken)result.SecurityToken;
        if (!jwt.TryGetPayloadValue<string>(Roles.ClaimType, out var role) || !string.Equals(role, Roles.Vehicle, StringComparison.Ordinal))
        {
            return VehicleTokenResult.WrongRole;
        }

        if (!jwt.TryGetPayloadValue<string>("sub", out var sub) || !string.Equals(sub, vin, StringComparison.Ordinal))
        {
            return VehicleTokenResult.VinMismatch;
        }

        return VehicleTokenResult.Valid;
    }
}
