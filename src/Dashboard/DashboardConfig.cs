using DigitalTwin.Security;
using Microsoft.Extensions.Hosting;

namespace DigitalTwin.Dashboard;

/// <summary>What the page needs to know before anyone signs in: how to sign in and where tiles come from. Nothing secret.</summary>
public sealed record DashboardConfig(
    string? TileUrl,
    string? TileAttribution,
    bool DevelopmentSignIn,
    DashboardOidcConfig? Oidc,
    string? OrleansDashboard,
    string Environment)
{
    public static DashboardConfig For(DashboardOptions options, AuthOptions auth, IHostEnvironment environment) => new(
        string.IsNullOrWhiteSpace(options.TileUrl) ? null : options.TileUrl,
        options.TileAttribution,
        options.DevelopmentSignIn,
        string.IsNullOrWhiteSpace(auth.Authority) ? null : new DashboardOidcConfig(auth.Authority, options.ClientId, options.Scope, auth.Audience),
        options.OrleansDashboard ? DashboardOptions.OrleansDashboardPath + "/" : null,
        environment.EnvironmentName);
}

/// <summary>The authorization code + PKCE settings of the page, a public client of the authority.</summary>
public sealed record DashboardOidcConfig(string Authority, string ClientId, string Scope, string Audience);
