using System.Net.Http.Headers;
using DigitalTwin.Security;
using Microsoft.Extensions.Time.Testing;

namespace DigitalTwin.EndToEnd.Tests;

/// <summary>HTTP clients for each <see cref="Identity"/>, with tokens minted the way the real ones are.</summary>
public static class Callers
{
    public static HttpClient For(this SiloFixture silo, Identity identity, string ownerSub, string vin)
    {
        var http = silo.Http();
        var token = identity switch
        {
            Identity.Owner => silo.Tokens.Mint(ownerSub, Roles.User, TimeSpan.FromHours(1)),
            Identity.OtherOwner => silo.Tokens.Mint(ownerSub + "-other", Roles.User, TimeSpan.FromHours(1)),
            Identity.Operator => silo.Tokens.Mint("ops-matrix", Roles.Operator, TimeSpan.FromHours(1)),
            Identity.Expired => new TokenIssuer(SiloFixture.SigningKey, timeProvider: new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-3))).Mint(ownerSub, Roles.User, TimeSpan.FromHours(1)),
            Identity.Forged => new TokenIssuer("an-attacker-key-that-is-also-long-enough-for-hs256").Mint(ownerSub, Roles.Operator, TimeSpan.FromHours(1)),
            Identity.WrongAudience => new TokenIssuer(SiloFixture.SigningKey, audience: "another-service").Mint(ownerSub, Roles.Operator, TimeSpan.FromHours(1)),
            Identity.Vehicle => silo.Tokens.Mint(vin, Roles.Vehicle, TimeSpan.FromHours(1)),
            _ => null,
        };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return http;
    }
}
