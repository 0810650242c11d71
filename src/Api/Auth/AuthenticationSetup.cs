using DigitalTwin.Security;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace DigitalTwin.Api.Auth;

/// <summary>JWT bearer for people: HS256 with Auth:SigningKey in the embedded default, OIDC with Auth:Authority in production.</summary>
internal sealed class AuthenticationSetup(IOptions<AuthOptions> auth) : IPostConfigureOptions<JwtBearerOptions>
{
    public void PostConfigure(string? name, JwtBearerOptions options)
    {
        var settings = auth.Value;
        options.MapInboundClaims = false;
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = settings.Issuer,
            ValidAudience = settings.Audience,
            ValidateIssuer = string.IsNullOrEmpty(settings.Authority),
            NameClaimType = "sub",
            RoleClaimType = Roles.ClaimType,
            ClockSkew = TimeSpan.FromSeconds(30),
        };

        if (!string.IsNullOrEmpty(settings.Authority))
        {
            options.Authority = settings.Authority;
            options.Audience = settings.Audience;
        }
        else if (!string.IsNullOrEmpty(settings.SigningKey))
        {
            options.TokenValidationParameters.IssuerSigningKey = SigningKeys.FromSecret(settings.SigningKey);
            options.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
        }
    }
}
